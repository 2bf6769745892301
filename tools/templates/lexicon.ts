// What the rationale corpora call each problem, and which seller aspect (if any) it becomes.
import type { AspectId } from '../../src/core/aspects';

export type Band = 'mild' | 'strong';

/** Distortion families as the corpora name them; the miner counts mentions per family. */
export const FAMILIES = ['clarity', 'blur', 'exposure', 'noise', 'compression', 'artifact', 'content', 'camera', 'resolution', 'tilt', 'framing', 'clutter', 'colour'] as const;
export type Family = (typeof FAMILIES)[number];

/** How the GPT-4o taxonomy names each family (fixed vocabulary, so a plain word test counts it). */
export const FAMILY_NAMES: Partial<Record<Family, RegExp>> = {
  clarity: /clarity/i,
  blur: /blur|out of focus/i,
  exposure: /exposure|darkness/i,
  noise: /nois/i,
  compression: /compression|blocking/i,
  artifact: /aliasing|ringing|banding/i,
  content: /solid colou?r/i,
  camera: /interlac|moir/i,
};

export interface Topic {
  id: string;
  family: Family;
  /** The seller aspect this becomes, or null when a seller cannot cause or fix it with a retake. */
  aspect: AspectId | null;
  /** Matches the topic's name in a fixed taxonomy (distortion labels, GPT-4o sentences). */
  name: RegExp;
  /** Matches free text that says this problem is present (not merely that the aspect is fine). */
  problem: RegExp;
  /** Free-text matches to drop, e.g. negations ("no noise") or intended effects (background blur). */
  not?: RegExp;
  note?: string;
}

const W = String.raw`(?:\w+\s+){0,2}`; // up to two filler words

export const TOPICS: Topic[] = [
  {
    id: 'blur',
    family: 'blur',
    aspect: 'blur',
    name: /blur|out of focus|defocus/i,
    problem: new RegExp(
      String.raw`\b(blurr?\w*|out of focus|defocus\w*|unfocused|fuzzy|motion blur|shak(y|e|ing))\b|\bnot ${W}(clear|sharp|focused)\b|\blacks? ${W}(sharpness|focus)\b|\b(poor|inaccurate|missed|wrong) ${W}focus`,
      'i',
    ),
    not: /background|bokeh|depth of field|\bno\b[^.]{0,12}blur|without blur|blurred face/i,
  },
  {
    id: 'clarity',
    family: 'clarity',
    aspect: 'blur',
    name: /clarity/i,
    problem: new RegExp(
      String.raw`\b(low|poor|insufficient|inadequate|lacking|reduced|limited|average|mediocre|weak|lack of|loss of) ${W}(clarity|sharpness|definition)\b|\b(clarity|sharpness)\b[^.,]{0,20}\b(low|poor|not (very )?high|average|lacking|insufficient|reduced)\b|\blacks? ${W}(clarity|definition)\b`,
      'i',
    ),
    note: 'generic softness; shown to sellers as blur (and partly low resolution)',
  },
  {
    id: 'noise',
    family: 'noise',
    aspect: 'noise',
    name: /nois|grain/i,
    problem: /\b(nois\w*|grain\w*)\b/i,
    not: /\b(no|without|free of|little|almost no|basically no|barely any|hardly any|minimal|not much|lack of|absence of|less)\s+(\w+\s+){0,2}(nois|grain)|noise[- ]free|(nois\w*|grain\w*)\s+(is|are)\s+(not|barely|hardly|well|almost)/i,
  },
  {
    id: 'underexposure',
    family: 'exposure',
    aspect: 'underexposure',
    name: /underexpos|darkness|too dark/i,
    problem:
      /\b(underexpos\w*|under-expos\w*|too dark|excessive darkness|insufficient (light|lighting))\b|\b(lighting|light|brightness|exposure)\b[^.,]{0,25}\b(dark|dim|weak|poor|insufficient|inadequate|low)\b|\b(dark|dim|weak|poor|insufficient|inadequate|low)\s+(\w+\s+)?(lighting|light|brightness)\b|\b(image|photo|picture|scene|overall)\b[^.,]{0,25}\b(dark|dim|gloomy)\b/i,
  },
  {
    id: 'overexposure',
    family: 'exposure',
    aspect: 'overexposure',
    name: /overexpos/i,
    problem: /\b(overexpos\w*|over-expos\w*|blown|washed[- ]out|too bright|excessively bright|glare|(strong|harsh|excessive) (lighting|light))\b/i,
  },
  {
    id: 'low_resolution',
    family: 'resolution',
    aspect: 'low_resolution',
    name: /resolution|pixelat/i,
    problem: /\blow (\w+ )?resolution|resolution\b[^.,]{0,15}\b(low|poor|insufficient)\b|pixelat\w*|low pixel|pixel density\b[^.,]{0,10}\blow/i,
  },
  {
    id: 'tilt',
    family: 'tilt',
    aspect: 'tilt',
    name: /tilt|skew|slant/i,
    problem: /\b(tilt\w*|skew\w*|slant\w*|crooked|askew|not level)\b/i,
  },
  {
    id: 'sideways',
    family: 'tilt',
    aspect: 'sideways',
    name: /sideways|on its side/i,
    problem: /\b(sideways|on its side|turned (90|a quarter)\w*|rotated (by )?90)\b/i,
    note: 'a photo stored a quarter turn off: fixed by turning it, not by a retake',
  },
  {
    id: 'framing',
    family: 'framing',
    aspect: 'framing',
    name: /framing|composition/i,
    problem:
      /\b(composition|framing)\b[^.,]{0,30}\b(poor|bad|average|not (very )?good|unbalanced|lacking|mediocre|ordinary|problem\w*|issue\w*|flaw\w*|lacks)\b|\b(poor|bad|unbalanced|average|mediocre|ordinary)\s+(\w+\s+)?(composition|framing)\b|\boff[- ]cent\w*|\b(subject|object)\b[^.,]{0,30}\b(too small|small in|cut off|incomplete)\b|\b(too much|excessive) (empty )?space\b|\bempty space\b/i,
  },
  {
    id: 'clutter',
    family: 'clutter',
    aspect: 'clutter',
    name: /clutter/i,
    problem:
      /\b(clutter\w*|messy|chaotic|disorder\w*|distract\w*|too many (elements|objects|things|items))\b|\b(background|scene|content)\b[^.,]{0,30}\b(busy|complex|complicated|cluttered|messy|chaotic|distracting|disorganized)\b/i,
  },
  {
    id: 'color_cast',
    family: 'colour',
    aspect: 'color_cast',
    name: /colou?r cast|white balance/i,
    problem:
      /\b(colou?r cast|white balance|tint\w*|reddish|bluish|greenish|yellowish|purplish)\b|\btoo (red|yellow|blue|green|warm|cool)\b|\b(tone|hue|colou?rs?)\b[^.,]{0,30}\b(leaning|biased|skewed|shifted|unnatural|distorted|off|cast)\b|\bcolou?r (distortion|deviation|shift)\b/i,
  },
  {
    id: 'compression',
    family: 'compression',
    aspect: null,
    name: /compression|blocking/i,
    problem: /\b(compression|blocking|blocky|jpeg)\b/i,
    note: 'added by encoders and platforms, not by the shot; nearest seller aspect: low_resolution',
  },
  {
    id: 'artifact',
    family: 'artifact',
    aspect: null,
    name: /aliasing|ringing|banding/i,
    problem: /\b(aliasing|ringing|banding|jagged|halo\w*)\b/i,
    note: 'resampling and sharpening artefacts; not something a retake fixes',
  },
  {
    id: 'content',
    family: 'content',
    aspect: null,
    name: /solid colou?r/i,
    problem: /\bsolid colou?r\b/i,
    note: 'letterbox bars and filler in video frames; not a seller problem',
  },
  {
    id: 'camera',
    family: 'camera',
    aspect: null,
    name: /interlac|moir/i,
    problem: /\b(interlac\w*|moir\w*)\b/i,
    note: 'sensor and video scanning artefacts; not a seller problem',
  },
];

export const TOPIC_BY_ID = new Map(TOPICS.map((t) => [t.id, t]));

/** Topics a fixed-vocabulary sentence or distortion label names. */
export function namedTopics(text: string): Topic[] {
  return TOPICS.filter((t) => t.name.test(text));
}

/** Topics a free-text clause reports as a problem. */
export function problemTopics(text: string): Topic[] {
  return TOPICS.filter((t) => t.problem.test(text) && !t.not?.test(text));
}

/** Intensity words in the wording itself; undefined when it says nothing about degree. */
export function bandFromWording(text: string): Band | undefined {
  if (/\b(slight\w*|mild\w*|minor|somewhat|a bit|a little|subtle|moderate\w*|partial\w*|relatively)\b/i.test(text)) return 'mild';
  if (/\b(severe\w*|serious\w*|significant\w*|heav\w*|extreme\w*|very|highly|completely|totally|major|substantial\w*|considerabl\w*|pronounced|excessive\w*|too|entire\w*)\b/i.test(text))
    return 'strong';
  return undefined;
}

/** Our own severity bands (src/core/explain): below 0.35 an aspect is not raised. */
export function bandFromSeverity(s: number): Band | undefined {
  if (s >= 0.6) return 'strong';
  if (s >= 0.35) return 'mild';
  return undefined;
}
