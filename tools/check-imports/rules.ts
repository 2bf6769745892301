// What each folder of src/ may import: the layers of ARCHITECTURE.md, checked by
// `npm run check:imports` (in .ci/run). A folder not listed here fails the check until it is
// given its place. The page-side layers (store, ui, embed) stay off core/model, so tfjs never
// reaches the page's bundle but through the engine.

export interface FolderRule {
  /** Folders of src/ (relative, e.g. "core/image") this one may import; "." is src/ itself. */
  may: string[];
  /** What it is for (ARCHITECTURE.md's folder map says the same). */
  job: string;
}

const CORE = ['core', 'core/image', 'core/measures', 'core/model', 'core/fix', 'core/explain'];

export const RULES: Record<string, FolderRule> = {
  core: { may: [], job: 'types and policies every layer shares: aspects, errors, limits, locale, the fixes, the engine interface, the recovery ladder' },
  'core/image': { may: ['core'], job: 'photos in: sniffing, decoding, EXIF, pixels, the views, the fingerprint, location stripping' },
  'core/measures': { may: ['core', 'core/image'], job: 'the explicit measurements of a photo’s views (sharpness, exposure, colour, tilt, clutter)' },
  'core/model': { may: ['core', 'core/image', 'core/measures'], job: 'model files, features, head, calibration, the backend policy and the scorer (tfjs)' },
  'core/fix': { may: ['core', 'core/image', 'core/model'], job: 'the one-tap fixes: plans from a photo’s own pixels, the preview and the full-size render' },
  'core/explain': { may: ['core', 'core/image'], job: 'from a score to reasons and tips (templates as data), same-shot detection' },
  engine: { may: CORE, job: 'threads: the engine’s queue, the scoring and measure workers and their typed RPC' },
  store: { may: ['core'], job: 'the coach’s state (zustand): photos, order, cover, limits, the engine status' },
  ui: { may: ['core', 'core/explain', 'store', 'ui/i18n'], job: 'React components of the coach' },
  'ui/i18n': { may: ['core'], job: 'the coach’s UI strings, one file per locale (en, ja)' },
  embed: { may: ['core', 'core/image', 'store'], job: 'the listing page ↔ coach protocol: host SDK, guest side, origins, cache rules' },
  'host-demo': { may: [], job: 'the demo listing form’s own strings' },
  '.': { may: [...CORE, 'engine', 'store', 'ui', 'embed', 'host-demo'], job: 'the entry points: the coach page and the demo listing page' },
};

/** Packages that only the UI layers may use: core must run in Node tools and workers alike. */
export const UI_PACKAGES = ['react', 'react-dom', 'zustand'];
