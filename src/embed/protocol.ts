// The contract between the listing page (host) and the coach iframe (guest).
// Penpal carries the calls; every payload is wrapped as `{ v, ... }` and checked by a guard,
// because a message that passed penpal's origin check can still come from an older or
// tampered guest. Anything with the wrong version or shape is dropped.
import type { Band } from '../core/aspects';
import { CROP_ASPECT_RANGE, DEFAULT_CROP_ASPECT, FIX_ORDER, isFixKind, type FixKind } from '../core/fixes';
import { DEFAULT_LIMITS, MAX_PHOTOS, type HostLimits } from '../core/limits';
import { isLocale, type Locale } from '../core/locale';

export const PROTOCOL_VERSION = 1;
/** Penpal channel: a host and guest of different major versions never even connect. */
export const CHANNEL = `photo-coach/v${PROTOCOL_VERSION}`;

// height: the iframe grows to fit the coach (no scrolling inside it, so its actions stay in the
// page's own flow); 50 scored tiles at 375 px measured 31,369 px (listing.test.ts) — the cap leaves room
// and still stops a runaway value.
export const LIMITS = { photos: MAX_PHOTOS, name: 255, height: 100_000 } as const;

export { DEFAULT_LIMITS, type HostLimits };

/** The limits a listing site asked for, held to the ranges of core/limits.ts. */
export function clampLimits(l: Partial<HostLimits> = {}): HostLimits {
  const n = (v: unknown, lo: number, hi: number, d: number) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.floor(v))) : d);
  return { photos: n(l.photos, 1, LIMITS.photos, DEFAULT_LIMITS.photos), bytesPerPhoto: n(l.bytesPerPhoto, 100_000, 50 * 1024 * 1024, DEFAULT_LIMITS.bytesPerPhoto) };
}

export { isLocale, type Locale } from '../core/locale';
export type PhotoStatus = 'queued' | 'scoring' | 'done' | 'error';

/**
 * What the listing page hears besides the photos, as typed events with stable codes. Hosts may
 * switch on `code`; `message` is for logs, not for sellers.
 */
export const EventCodes = {
  /** A photo the seller added cannot be used (not a photo, broken, too small…); `photo` names it. */
  PHOTO_FAILED: 'PHOTO_FAILED',
  /** The coach could not start its model: photos can still be added and sent, unscored. */
  ENGINE_FAILED: 'ENGINE_FAILED',
  /** The coach speaks another protocol version than this SDK: upgrade the SDK. */
  PROTOCOL_MISMATCH: 'PROTOCOL_MISMATCH',
  /** The coach refuses this page (not in its coach-config.json). */
  ORIGIN_REFUSED: 'ORIGIN_REFUSED',
  /** The coach did not answer in time (not loaded, blocked, wrong URL). */
  TIMEOUT: 'TIMEOUT',
} as const;
export type EventCode = (typeof EventCodes)[keyof typeof EventCodes];

export interface CoachEvent {
  code: EventCode;
  message: string;
  /** For PHOTO_FAILED: the photo, and the coach's error code for it (e.g. NOT_AN_IMAGE). */
  photo?: { id: string; name: string; error: string };
}

export interface EventMessage {
  v: typeof PROTOCOL_VERSION;
  event: CoachEvent;
}

/**
 * Sent by the coach with postMessage, outside penpal, before any handshake:
 * - `hello`, to the claimed host origin only, with the protocol version (so an SDK of another
 *   version learns why it will never connect);
 * - `refused`, to any parent: a fixed message with no data at all. Threat model: a page that
 *   frames the coach without being listed learns only that it is refused — which it could
 *   already tell from the silence — and never a photo, a name, the config or the host list.
 */
export const SIGNAL_NAMESPACE = 'photo-coach';
export type SignalMessage = { namespace: typeof SIGNAL_NAMESPACE; type: 'hello'; v: number } | { namespace: typeof SIGNAL_NAMESPACE; type: 'refused' };

export function isSignalMessage(x: unknown): x is SignalMessage {
  if (!isObject(x) || x.namespace !== SIGNAL_NAMESPACE) return false;
  if (x.type === 'refused') return Object.keys(x).length === 2;
  return x.type === 'hello' && typeof x.v === 'number' && Number.isInteger(x.v) && Object.keys(x).length === 3;
}

export interface PhotoSummary {
  /** Stable for the photo's slot in the coach (a retake keeps it, with a new file). */
  id: string;
  /**
   * The photo's file (without its location unless the host keeps it), for every photo the
   * listing can use; null for a file the coach refused (not a photo, broken, too small…), which
   * can be neither sent nor the cover. The form can hold exactly what the coach shows.
   */
  file: File | null;
  name: string;
  state: PhotoStatus;
  score: number | null;
  band: Band | null;
  cover: boolean;
  /** The model version that scored it (model-card.json `version`); null until scored. */
  model: string | null;
  /**
   * The one-tap fixes the seller kept, in the order applied ('turn', 'colour', 'exposure'…);
   * `file` is then the fixed JPEG (upright, no metadata). Empty for a photo as it was added.
   */
  fixes: FixKind[];
}

export interface ChangeMessage {
  v: typeof PROTOCOL_VERSION;
  photos: PhotoSummary[];
}

export interface ConfirmedPhotoMessage {
  file: File;
  name: string;
  score: number | null;
  band: Band | null;
  cover: boolean;
  model: string | null;
  fixes: FixKind[];
}

export interface ConfirmMessage {
  v: typeof PROTOCOL_VERSION;
  photos: ConfirmedPhotoMessage[];
}

export interface ResizeMessage {
  v: typeof PROTOCOL_VERSION;
  height: number;
}

/** The answer to showCoverNudge: whether the note is shown, and where it is in the coach's page. */
export interface CoverNudgeMessage {
  v: typeof PROTOCOL_VERSION;
  shown: boolean;
  /** The note's top edge in px from the top of the coach's page; null when not shown. */
  top: number | null;
}

export function isCoverNudgeMessage(x: unknown): x is CoverNudgeMessage {
  if (!isVersioned(x) || typeof x.shown !== 'boolean') return false;
  return x.shown ? typeof x.top === 'number' && Number.isFinite(x.top) && x.top >= 0 && x.top <= LIMITS.height : x.top === null;
}

/** What the host exposes to the guest. */
export type HostMethods = {
  onChange(m: ChangeMessage): void;
  onConfirm(m: ConfirmMessage): void;
  resize(m: ResizeMessage): void;
  onEvent(m: EventMessage): void;
};

/** What the guest exposes to the host. */
export type GuestMethods = {
  getPhotos(): ChangeMessage;
  setLocale(locale: Locale): boolean;
  /** Removes every photo (the listing form was reset). */
  reset(): boolean;
  /** Adds photos the listing already has (the edit flow); returns how many fitted. */
  addPhotos(files: File[]): number;
  /** Shows the note next to the cover if the cover needs work (the listing is about to be submitted). */
  showCoverNudge(): Promise<CoverNudgeMessage>;
};

const BANDS: readonly string[] = ['great', 'ok', 'needs_work'];
const STATES: readonly string[] = ['queued', 'scoring', 'done', 'error'];

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const isVersioned = (x: unknown): x is Record<string, unknown> => isObject(x) && x.v === PROTOCOL_VERSION;
const isName = (x: unknown): x is string => typeof x === 'string' && x.length <= LIMITS.name;
const isScore = (x: unknown) => x === null || (typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 100);
const isBand = (x: unknown) => x === null || (typeof x === 'string' && BANDS.includes(x));
const isPhotoList = (x: unknown): x is unknown[] => Array.isArray(x) && x.length <= LIMITS.photos;
const isId = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 64;
export const isFile = (x: unknown): x is File => typeof File !== 'undefined' && x instanceof File;
const isModel = (x: unknown) => x === null || (typeof x === 'string' && x.length > 0 && x.length <= 100);
const EVENT_CODES: readonly string[] = Object.values(EventCodes);
/** Absent from a coach older than fixes: read as none. */
const isFixes = (x: unknown) => x === undefined || (Array.isArray(x) && x.length <= FIX_ORDER.length && x.every(isFixKind) && new Set(x).size === x.length);

function isPhotoSummary(x: unknown): x is PhotoSummary {
  return (
    isObject(x) &&
    isId(x.id) &&
    (x.file === null ? x.state === 'error' && x.cover === false : isFile(x.file)) &&
    isName(x.name) &&
    typeof x.state === 'string' &&
    STATES.includes(x.state) &&
    isScore(x.score) &&
    isBand(x.band) &&
    isModel(x.model) &&
    isFixes(x.fixes) &&
    typeof x.cover === 'boolean'
  );
}

export function isChangeMessage(x: unknown): x is ChangeMessage {
  return (
    isVersioned(x) &&
    isPhotoList(x.photos) &&
    x.photos.every(isPhotoSummary) &&
    x.photos.filter((p) => (p as PhotoSummary).cover).length <= 1 &&
    new Set(x.photos.map((p) => (p as PhotoSummary).id)).size === x.photos.length
  );
}

function isConfirmedPhoto(x: unknown): x is ConfirmedPhotoMessage {
  return isObject(x) && isFile(x.file) && isName(x.name) && isScore(x.score) && isBand(x.band) && isModel(x.model) && isFixes(x.fixes) && typeof x.cover === 'boolean';
}

export function isConfirmMessage(x: unknown): x is ConfirmMessage {
  return isVersioned(x) && isPhotoList(x.photos) && x.photos.every(isConfirmedPhoto) && x.photos.filter((p) => (p as ConfirmedPhotoMessage).cover).length <= 1;
}

export function isEventMessage(x: unknown): x is EventMessage {
  if (!isVersioned(x) || !isObject(x.event)) return false;
  const e = x.event;
  if (typeof e.code !== 'string' || !EVENT_CODES.includes(e.code) || typeof e.message !== 'string' || e.message.length > 500) return false;
  if (e.photo === undefined) return e.code !== 'PHOTO_FAILED';
  return isObject(e.photo) && isId(e.photo.id) && isName(e.photo.name) && typeof e.photo.error === 'string' && e.photo.error.length <= 40;
}

export function isResizeMessage(x: unknown): x is ResizeMessage {
  return isVersioned(x) && typeof x.height === 'number' && Number.isFinite(x.height) && x.height >= 0;
}

/** Height to give the iframe: whole pixels, never more than the cap. */
export function clampHeight(h: number): number {
  return Math.min(LIMITS.height, Math.max(0, Math.ceil(h)));
}

/**
 * The origin `s` names, or null unless `s` is exactly an http(s) origin ("https://shop.example",
 * "http://127.0.0.1:5173"): no path, query, credentials or trailing slash, and not "null" or "*",
 * since the guest sends to and accepts from this origin only.
 */
export function parseOrigin(s: unknown): string | null {
  if (typeof s !== 'string' || s.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  return url.origin === s ? s : null;
}

/**
 * Reads the guest's query (`?host=<origin>&locale=ja&location=keep`). An invalid host means no
 * embedding; only `location=keep` keeps the photos' location metadata.
 */
/** The site's crop shape (width / height) held to CROP_ASPECT_RANGE; anything else is the default, square. */
export function clampCropAspect(a: unknown): number {
  if (typeof a !== 'number' || !Number.isFinite(a) || a <= 0) return DEFAULT_CROP_ASPECT;
  return Math.min(CROP_ASPECT_RANGE[1], Math.max(CROP_ASPECT_RANGE[0], a));
}

export function parseGuestParams(search: string): { host: string | null; locale: Locale; keepLocation: boolean; limits: HostLimits; cropAspect: number } {
  const q = new URLSearchParams(search);
  const locale = q.get('locale');
  const num = (k: string) => (q.has(k) ? Number(q.get(k)) : undefined);
  return {
    host: parseOrigin(q.get('host')),
    locale: isLocale(locale) ? locale : 'en',
    keepLocation: q.get('location') === 'keep',
    limits: clampLimits({ photos: num('max-photos'), bytesPerPhoto: num('max-bytes') }),
    cropAspect: clampCropAspect(num('crop-aspect')),
  };
}
