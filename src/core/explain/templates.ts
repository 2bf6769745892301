import type { AspectId } from '../aspects';

export type Locale = 'en' | 'ja';

/** What the coach says about one aspect: a reason (what is wrong) and a tip (how to retake). */
export interface Template {
  reason: string;
  tip: string;
}

/** Severity bands: `mild` from 0.35, `strong` from 0.6 (below 0.35 the aspect is not raised). */
export type SeverityBand = 'mild' | 'strong';

export type Templates = Record<AspectId, Record<SeverityBand, Template>> & {
  great: string;
  fine: string;
  checks: { tooSmall: string; extremeRatio: string; duplicate: string };
};

export const TEMPLATES: Record<Locale, Templates> = {
  en: {
    blur: {
      mild: { reason: 'The item looks slightly soft.', tip: 'Tap the item on screen to focus, and hold the phone steady.' },
      strong: { reason: 'The photo is blurry: details of the item are lost.', tip: 'Tap the item to focus, brace your elbows, and use more light so the shutter is fast.' },
    },
    noise: {
      mild: { reason: 'There is visible grain.', tip: 'Add light: move next to a window or turn on a lamp.' },
      strong: { reason: 'Heavy grain hides the item’s texture.', tip: 'Shoot in daylight or under a bright lamp; avoid night mode and digital zoom.' },
    },
    underexposure: {
      mild: { reason: 'The photo is a little dark.', tip: 'Move next to a window or turn on a light.' },
      strong: { reason: 'The photo is too dark to see the item well.', tip: 'Take it in daylight near a window, or light the item from the front.' },
    },
    overexposure: {
      mild: { reason: 'Bright areas are washed out.', tip: 'Step out of direct sun or tap the brightest part to lower exposure.' },
      strong: { reason: 'Parts of the photo are blown out to white.', tip: 'Avoid direct sun and flash glare; use soft, indirect light.' },
    },
    low_resolution: {
      mild: { reason: 'The photo has few pixels for zooming in.', tip: 'Use the camera’s full resolution and move closer instead of zooming.' },
      strong: { reason: 'The photo is too small: buyers cannot see details.', tip: 'Retake with the phone camera at full size; don’t use screenshots.' },
    },
    tilt: {
      mild: { reason: 'The photo is slightly tilted.', tip: 'Turn on the camera grid and line up the item’s edges.' },
      strong: { reason: 'The photo is clearly crooked.', tip: 'Hold the phone level, use the grid, and shoot straight on.' },
    },
    framing: {
      mild: { reason: 'The item is small or off-centre in the frame.', tip: 'Move closer so the item fills most of the photo, centred.' },
      strong: { reason: 'The item is hard to find in the photo.', tip: 'Get close and centre the item; crop away empty space.' },
    },
    clutter: {
      mild: { reason: 'The background is a little busy.', tip: 'Clear the surface around the item.' },
      strong: { reason: 'A cluttered background competes with the item.', tip: 'Place the item on a plain sheet, table or wall and remove other things.' },
    },
    color_cast: {
      mild: { reason: 'Colours look slightly tinted.', tip: 'Use daylight and avoid mixing warm and cool lamps.' },
      strong: { reason: 'Colours are off, so buyers may misjudge the item.', tip: 'Shoot by a window in daylight; turn off coloured lights.' },
    },
    great: 'Great photo — clear, bright and well framed.',
    fine: 'Good photo. Nothing stands out to fix.',
    checks: {
      tooSmall: 'This photo is only %{width}×%{height} px; marketplaces need at least 500 px on the short side.',
      extremeRatio: 'This photo is very long and thin; it will be cropped in listings.',
      duplicate: 'This looks like the same shot as photo %{other}; show a different angle instead.',
    },
  },
  ja: {
    blur: {
      mild: { reason: '商品が少しぼやけています。', tip: '画面の商品をタップしてピントを合わせ、スマホを固定して撮りましょう。' },
      strong: { reason: 'ピンボケで商品の細部が見えません。', tip: '商品をタップしてピントを合わせ、脇をしめて、明るい場所で撮り直しましょう。' },
    },
    noise: {
      mild: { reason: 'ザラつき（ノイズ）が見えます。', tip: '窓の近くに移動するか、照明をつけて明るくしましょう。' },
      strong: { reason: '強いノイズで商品の質感が分かりません。', tip: '日中の自然光か明るい照明の下で撮り、ナイトモードやデジタルズームは避けましょう。' },
    },
    underexposure: {
      mild: { reason: '写真が少し暗いです。', tip: '窓の近くに移動するか、照明をつけましょう。' },
      strong: { reason: '暗すぎて商品がよく見えません。', tip: '昼間に窓際で撮るか、商品を正面から照らしましょう。' },
    },
    overexposure: {
      mild: { reason: '明るい部分が白っぽく飛んでいます。', tip: '直射日光を避けるか、一番明るい部分をタップして明るさを下げましょう。' },
      strong: { reason: '写真の一部が真っ白に飛んでいます。', tip: '直射日光やフラッシュの反射を避け、やわらかい光で撮りましょう。' },
    },
    low_resolution: {
      mild: { reason: '拡大して見るには画素数が足りません。', tip: 'カメラの最大解像度で、ズームせずに近づいて撮りましょう。' },
      strong: { reason: '写真が小さすぎて細部が見えません。', tip: 'スクリーンショットではなく、カメラで撮り直しましょう。' },
    },
    tilt: {
      mild: { reason: '写真が少し傾いています。', tip: 'カメラのグリッド線を表示して、商品の辺を合わせましょう。' },
      strong: { reason: '写真がはっきり傾いています。', tip: 'スマホを水平に持ち、グリッド線を使って正面から撮りましょう。' },
    },
    framing: {
      mild: { reason: '商品が小さいか、中心からずれています。', tip: '近づいて、商品が写真の大部分を占めるように中央に配置しましょう。' },
      strong: { reason: '写真のどこに商品があるか分かりにくいです。', tip: '近づいて商品を中央に置き、余白はトリミングしましょう。' },
    },
    clutter: {
      mild: { reason: '背景が少しごちゃごちゃしています。', tip: '商品のまわりを片付けましょう。' },
      strong: { reason: '背景の物が多く、商品が目立ちません。', tip: '無地の布・テーブル・壁の前に置き、他の物をどかしましょう。' },
    },
    color_cast: {
      mild: { reason: '色味が少し偏っています。', tip: '自然光で撮り、色の違う照明を混ぜないようにしましょう。' },
      strong: { reason: '色が実物と違って見え、誤解を招くおそれがあります。', tip: '昼間の窓際で撮り、色付きの照明は消しましょう。' },
    },
    great: 'とても良い写真です。明るく、はっきりしていて、構図も良好です。',
    fine: '良い写真です。特に直すところはありません。',
    checks: {
      tooSmall: 'この写真は %{width}×%{height} px しかありません。短い辺が500 px以上必要です。',
      extremeRatio: 'この写真は細長すぎるため、一覧で切り取られます。',
      duplicate: '写真 %{other} と同じカットのようです。別の角度から撮りましょう。',
    },
  },
};

export function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/%\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}
