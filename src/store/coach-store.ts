import { createStore, type StoreApi } from 'zustand/vanilla';
import { DEFAULT_LIMITS, type HostLimits } from '../core/limits';
import type { Score } from '../core/aspects';
import type { Engine, EngineInfo } from '../core/engine-types';
import { isCoachError, type ErrorCode } from '../core/errors';
import { DEFAULT_CROP_ASPECT, type FixByHand, type FixKind, type FixPreview } from '../core/fixes';
import type { Locale } from '../core/locale';

export type PhotoState = 'queued' | 'scoring' | 'done' | 'error';

export interface PhotoError {
  code: ErrorCode;
  /** For logs; the UI shows the localized text for `code`. */
  message: string;
}

export interface Photo {
  id: string;
  file: File;
  name: string;
  objectUrl: string;
  state: PhotoState;
  score?: Score;
  /** The score of the shot this one replaced (Retake), to show the change. */
  previousScore?: Score;
  error?: PhotoError;
  /** A fix being made, or shown for the seller to keep or discard. */
  fix?: FixStatus;
  /** The fixes applied to `file`, in order; `original` is the photo as added, for Undo. */
  fixes?: FixKind[];
  original?: { file: File; name: string; objectUrl: string; score?: Score };
}

export type FixStatus =
  | { state: 'working'; requested: FixKind[] }
  | { state: 'preview'; requested: FixKind[]; preview: FixPreview; previewUrl: string }
  | { state: 'keeping'; requested: FixKind[]; preview: FixPreview; previewUrl: string }
  /** The model found nothing these fixes would change. */
  | { state: 'nothing' }
  /** The fix could not be made; the photo is unchanged. */
  | { state: 'failed'; error: PhotoError };

export type EngineStatus = { state: 'loading' } | { state: 'ready'; info: EngineInfo } | { state: 'failed'; error: PhotoError };

export interface ConfirmedPhoto {
  file: File;
  name: string;
  score?: Score;
  cover: boolean;
  fixes: FixKind[];
}

export interface CoachState {
  /** In the order they were added; `order` is the order the seller sees. */
  photos: Photo[];
  order: string[];
  locale: Locale;
  engine: EngineStatus;
  /** The listing site's limits, enforced here and again by the host SDK. */
  limits: HostLimits;
  /** The shape a crop takes (width / height), as the listing site set it. */
  cropAspect: number;
  /** How many files the last addFiles left out because the listing was full (0: none). */
  leftOut: number;
  /**
   * The note next to a cover that needs work: shown by itself until the seller dismisses it
   * (once), and again when the listing site asks before submitting (askCoverNudge).
   */
  coverNudge: 'auto' | 'dismissed' | 'asked';
  dismissCoverNudge(): void;
  /** Shows the cover note again if the cover needs work; says whether it is shown. */
  askCoverNudge(): boolean;
  /** Adds what fits under `limits.photos`; the rest is counted in `leftOut`. */
  addFiles(files: Iterable<File>): string[];
  remove(id: string): void;
  /** Removes every photo and starts a fresh listing (the listing form was reset). */
  reset(): void;
  replace(id: string, file: File): void;
  /**
   * Prepares a preview of `fixes` on a scored photo (the engine scores it too); `hand` is what
   * the seller set (a clockwise turn, a crop), in place of the model's choice.
   */
  requestFix(id: string, fixes: FixKind[], hand?: FixByHand): void;
  /** Keeps the previewed fix: the full-size fixed JPEG takes the photo's slot, and is scored. */
  keepFix(id: string): void;
  discardFix(id: string): void;
  /** Puts the photo back as it was added, with its score. */
  undoFix(id: string): void;
  /** Scores a photo that failed again (e.g. after a backend failure). */
  retry(id: string): void;
  move(id: string, delta: number): void;
  setCover(id: string): void;
  setLocale(locale: Locale): void;
  /** Starts a fresh engine after it failed to load; needs `engine` to be a factory. */
  retryEngine(): void;
  confirm(): ConfirmedPhoto[];
  dispose(): void;
}

export type CoachStore = StoreApi<CoachState>;

export interface CoachStoreOptions {
  /** An engine, or a factory so that a failed engine can be started again. */
  engine: Engine | (() => Engine);
  locale?: Locale;
  urls?: { create(file: Blob): string; revoke(url: string): void };
  /** What the listing site takes (core/limits.ts); default DEFAULT_LIMITS. */
  limits?: HostLimits;
  /** The listing site's crop shape, width / height; default DEFAULT_CROP_ASPECT (square). */
  cropAspect?: number;
}

/** Errors that mean the file itself cannot be used; such photos are not handed to the listing. */
export const FILE_ERRORS: readonly ErrorCode[] = ['EMPTY_FILE', 'NOT_AN_IMAGE', 'UNSUPPORTED_FORMAT', 'CORRUPT_IMAGE', 'TOO_SMALL', 'TOO_LARGE', 'OVER_SITE_LIMIT'];

/** A photo the listing can use: not refused as a file (a photo the model could not score still is). */
export const isSendable = (p: Photo) => !(p.error && FILE_ERRORS.includes(p.error.code));

/** The cover (the search thumbnail): the first photo in the seller's order that the listing can use; a refused file never is. */
export function coverOf(photos: Photo[], order: string[]): string | null {
  const byId = new Map(photos.map((p) => [p.id, p]));
  return order.find((id) => byId.has(id) && isSendable(byId.get(id)!)) ?? null;
}

/** A file over the listing site's byte limit: refused at once, never scored or sent. */
const overSiteLimit = (size: number, limit: number): PhotoError => ({ code: 'OVER_SITE_LIMIT', message: `${size} bytes; the site takes up to ${limit}` });

function toPhotoError(e: unknown): PhotoError {
  if (isCoachError(e)) return { code: e.code, message: e.message };
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

export function createCoachStore(options: CoachStoreOptions): CoachStore {
  const makeEngine = typeof options.engine === 'function' ? options.engine : undefined;
  let engine: Engine = makeEngine ? makeEngine() : (options.engine as Engine);
  const urls = options.urls ?? { create: (f: Blob) => URL.createObjectURL(f), revoke: (u: string) => URL.revokeObjectURL(u) };
  // Pending jobs by photo id; a photo's job is its controller, so a late result of a replaced
  // or removed shot is recognised and dropped.
  const jobs = new Map<string, AbortController>();
  let nextId = 1;
  let disposed = false;

  const store = createStore<CoachState>()((set, get) => {
    const patch = (id: string, p: Partial<Photo>) => set((s) => ({ photos: s.photos.map((ph) => (ph.id === id ? { ...ph, ...p } : ph)) }));
    const find = (id: string) => get().photos.find((p) => p.id === id);

    const cancel = (id: string) => {
      jobs.get(id)?.abort();
      jobs.delete(id);
    };

    /**
     * An engine job for a photo (a score, a fix's preview or render), which replaces any it had.
     * `settle` wraps the job's outcome: only the photo's current job may change it.
     */
    const engineJob = (id: string) => {
      const job = new AbortController();
      jobs.set(id, job);
      const current = () => !job.signal.aborted && jobs.get(id) === job;
      const settle = <T>(ok: (value: T) => void, failed: (e: unknown) => void) =>
        [
          (value: T) => {
            if (!current()) return;
            jobs.delete(id);
            ok(value);
          },
          (e: unknown) => {
            if (!current()) return;
            jobs.delete(id);
            failed(e);
          },
        ] as const;
      return { signal: job.signal, current, settle };
    };

    // The engine queues and runs one photo at a time; `onStart` says when this one's turn comes.
    const enqueue = (id: string) => {
      const photo = find(id);
      if (!photo || disposed) return;
      const { signal, current, settle } = engineJob(id);
      engine.score(photo.file, { signal, onStart: () => current() && patch(id, { state: 'scoring' }) }).then(
        ...settle(
          (score: Score) => patch(id, { state: 'done', score }),
          (e) => patch(id, { state: 'error', error: toPhotoError(e) }),
        ),
      );
    };

    /** Frees a shown preview's URL. */
    const dropFix = (p: Photo) => {
      if (p.fix?.state === 'preview' || p.fix?.state === 'keeping') urls.revoke(p.fix.previewUrl);
    };
    /** Frees every URL a photo holds: its file's, a preview's, the original's kept for Undo. */
    const release = (p: Photo) => {
      urls.revoke(p.objectUrl);
      dropFix(p);
      if (p.original) urls.revoke(p.original.objectUrl);
    };
    /** The photo's slot takes a new file (a retake, a kept fix), queued to be scored within the site's byte limit. */
    const takeFile = (id: string, file: File, p: Partial<Photo>) => {
      patch(id, { file, name: file.name, objectUrl: urls.create(file), state: 'queued', score: undefined, error: undefined, fix: undefined, ...p });
      const { bytesPerPhoto } = get().limits;
      if (file.size > bytesPerPhoto) patch(id, { state: 'error', error: overSiteLimit(file.size, bytesPerPhoto) });
      else enqueue(id);
    };

    const watchEngine = (e: Engine) => {
      set({ engine: { state: 'loading' } });
      e.ready.then(
        (info) => e === engine && set({ engine: { state: 'ready', info } }),
        (err) => e === engine && set({ engine: { state: 'failed', error: toPhotoError(err) } }),
      );
    };
    queueMicrotask(() => watchEngine(engine));

    return {
      photos: [],
      order: [],
      locale: options.locale ?? 'en',
      engine: { state: 'loading' },
      limits: options.limits ?? DEFAULT_LIMITS,
      cropAspect: options.cropAspect ?? DEFAULT_CROP_ASPECT,
      leftOut: 0,
      coverNudge: 'auto',

      dismissCoverNudge() {
        set({ coverNudge: 'dismissed' });
      },

      askCoverNudge() {
        if (!coverNeedsWork(get())) return false;
        set({ coverNudge: 'asked' });
        return true;
      },

      addFiles(files) {
        if (disposed) return [];
        const all = [...files];
        const { limits, photos } = get();
        const fits = all.slice(0, Math.max(0, limits.photos - photos.length));
        const added: Photo[] = fits.map((file) => ({
          id: `p${nextId++}`,
          file,
          name: file.name,
          objectUrl: urls.create(file),
          // over the site's byte limit: refused at once, never scored or sent
          ...(file.size > limits.bytesPerPhoto ? { state: 'error' as const, error: overSiteLimit(file.size, limits.bytesPerPhoto) } : { state: 'queued' as const }),
        }));
        set((s) => ({ photos: [...s.photos, ...added], leftOut: all.length - fits.length, order: [...s.order, ...added.map((p) => p.id)] }));
        for (const p of added) if (p.state === 'queued') enqueue(p.id);
        return added.map((p) => p.id);
      },

      remove(id) {
        const photo = find(id);
        if (!photo) return;
        cancel(id);
        release(photo);
        set((s) => ({ photos: s.photos.filter((p) => p.id !== id), leftOut: 0, order: s.order.filter((o) => o !== id) }));
      },

      reset() {
        for (const p of get().photos) get().remove(p.id);
        set({ leftOut: 0, coverNudge: 'auto' });
      },

      replace(id, file) {
        const photo = find(id);
        if (!photo || disposed) return;
        cancel(id);
        // a retake is a new shot: no fix of the old one to keep or undo
        release(photo);
        takeFile(id, file, { previousScore: photo.score ?? photo.previousScore, fixes: undefined, original: undefined });
      },

      requestFix(id, fixes, hand = {}) {
        const photo = find(id);
        const busy = photo?.fix?.state === 'working' || photo?.fix?.state === 'keeping';
        if (photo?.state !== 'done' || (!fixes.length && !hand.quarterTurns && !hand.crop && !hand.straighten) || disposed || busy) return;
        dropFix(photo);
        patch(id, { fix: { state: 'working', requested: fixes } });
        const { signal, settle } = engineJob(id);
        // fixes start from the photo as the seller added it, a kept fix included
        engine.fix(photo.original?.file ?? photo.file, fixes, { signal, hand, aspect: get().cropAspect }).then(
          ...settle(
            (preview: FixPreview) => patch(id, { fix: preview.plan.fixes.length ? { state: 'preview', requested: fixes, preview, previewUrl: urls.create(preview.preview) } : { state: 'nothing' } }),
            (e) => patch(id, { fix: { state: 'failed', error: toPhotoError(e) } }),
          ),
        );
      },

      keepFix(id) {
        const photo = find(id);
        const fix = photo?.fix;
        if (!photo || fix?.state !== 'preview' || disposed) return;
        patch(id, { fix: { ...fix, state: 'keeping' } });
        const { signal, settle } = engineJob(id);
        // the photo as the seller added it: fixes always start from it
        const original = photo.original ?? { file: photo.file, name: photo.name, objectUrl: photo.objectUrl, score: photo.score };
        engine.render(original.file, fix.preview.plan, get().limits.bytesPerPhoto, { signal }).then(
          ...settle(
            (jpeg: Blob) => {
              urls.revoke(fix.previewUrl);
              // an earlier kept fix's file goes; the original's URL stays for Undo
              if (photo.original) urls.revoke(photo.objectUrl);
              const file = new File([jpeg], fixedName(original.name), { type: 'image/jpeg', lastModified: Date.now() });
              takeFile(id, file, { previousScore: photo.score, fixes: fix.preview.plan.fixes, original });
            },
            (e) => {
              urls.revoke(fix.previewUrl);
              patch(id, { fix: { state: 'failed', error: toPhotoError(e) } });
            },
          ),
        );
      },

      discardFix(id) {
        const photo = find(id);
        if (!photo?.fix || photo.fix.state === 'working' || photo.fix.state === 'keeping') return;
        dropFix(photo);
        patch(id, { fix: undefined });
      },

      undoFix(id) {
        const photo = find(id);
        if (!photo?.original || disposed) return;
        cancel(id);
        dropFix(photo);
        urls.revoke(photo.objectUrl);
        const { file, name, objectUrl, score } = photo.original;
        patch(id, { file, name, objectUrl, score, state: score ? 'done' : 'queued', error: undefined, previousScore: undefined, fix: undefined, fixes: undefined, original: undefined });
        if (!score) enqueue(id);
      },

      retry(id) {
        const photo = find(id);
        if (photo?.state !== 'error' || disposed) return;
        patch(id, { state: 'queued', error: undefined });
        enqueue(id);
      },

      move(id, delta) {
        const order = [...get().order];
        const from = order.indexOf(id);
        if (from < 0) return;
        const to = Math.min(order.length - 1, Math.max(0, from + delta));
        if (to === from) return;
        order.splice(from, 1);
        order.splice(to, 0, id);
        set({ order });
      },

      setCover(id) {
        const order = get().order;
        const photo = find(id);
        if (!order.includes(id) || !photo || !isSendable(photo)) return;
        set({ order: [id, ...order.filter((o) => o !== id)] });
      },

      setLocale(locale) {
        set({ locale });
      },

      retryEngine() {
        if (!makeEngine || disposed || get().engine.state !== 'failed') return;
        for (const id of [...jobs.keys()]) cancel(id);
        engine.dispose();
        engine = makeEngine();
        watchEngine(engine);
        const again = get().photos.filter((p) => p.state !== 'done' && isSendable(p));
        for (const p of again) {
          patch(p.id, { state: 'queued', error: undefined });
          enqueue(p.id);
        }
      },

      confirm() {
        const { photos, order } = get();
        return order
          .map((id) => photos.find((p) => p.id === id)!)
          .filter(isSendable)
          .map((p, i) => ({ file: p.file, name: p.name, score: p.score, cover: i === 0, fixes: p.fixes ?? [] }));
      },

      dispose() {
        if (disposed) return;
        disposed = true;
        for (const job of jobs.values()) job.abort();
        jobs.clear();
        for (const p of get().photos) release(p);
        set({ photos: [], order: [] });
        engine.dispose();
      },
    };
  });
  return store;
}

/** The cover has been scored and needs work: buyers see it first in search. */
export const coverNeedsWork = (s: CoachState): boolean => {
  const cover = selectCoverId(s);
  return s.photos.find((p) => p.id === cover)?.score?.band === 'needs_work';
};

/** Whether the note next to the cover shows now. */
export const coverNudgeShown = (s: CoachState): boolean => coverNeedsWork(s) && s.coverNudge !== 'dismissed';

/** The fixed photo's file name: the original's, marked, as a JPEG. */
export const fixedName = (name: string) => `${name.replace(/\.[^.]*$/, '') || 'photo'}-fixed.jpg`;

/** The cover's id, or null when no photo can be one. */
export const selectCoverId = (s: CoachState): string | null => coverOf(s.photos, s.order);

/** Photos in the seller's order. */
export const selectOrdered = (s: CoachState): Photo[] => s.order.map((id) => s.photos.find((p) => p.id === id)!).filter(Boolean);
