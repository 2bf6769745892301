import { connect, WindowMessenger, type RemoteProxy } from 'penpal';
import { withoutLocation } from '../core/image/strip-location';
import { isSendable, selectCoverId, selectOrdered, type CoachState, type CoachStore, type ConfirmedPhoto } from '../store';
import {
  CHANNEL,
  clampHeight,
  isFile,
  isLocale,
  LIMITS,
  PROTOCOL_VERSION,
  EventCodes,
  type CoachEvent,
  type ChangeMessage,
  type ConfirmMessage,
  type GuestMethods,
  type HostMethods,
} from './protocol';

export function summarize(s: CoachState): ChangeMessage {
  const cover = selectCoverId(s);
  return {
    v: PROTOCOL_VERSION,
    photos: selectOrdered(s)
      .slice(0, LIMITS.photos)
      .map((p) => ({
        id: p.id,
        file: isSendable(p) ? p.file : null,
        name: p.name.slice(0, LIMITS.name),
        state: p.state,
        score: p.score ? Math.round(p.score.overall) : null,
        band: p.score?.band ?? null,
        cover: p.id === cover,
        model: p.score ? modelOf(s) : null,
        fixes: p.fixes ?? [],
      })),
  };
}

/** The version of the model that scores in this session, once it is known. */
const modelOf = (s: CoachState) => (s.engine.state === 'ready' ? s.engine.info.modelVersion.slice(0, 100) : null);

/** The events a change of state calls for that have not been sent yet (`sent` remembers them). */
export function newEvents(s: CoachState, sent: Map<string, string>): CoachEvent[] {
  const out: CoachEvent[] = [];
  for (const p of s.photos) {
    const key = p.error && !isSendable(p) ? p.error.code : '';
    if ((sent.get(p.id) ?? '') === key) continue;
    if (key) out.push({ code: EventCodes.PHOTO_FAILED, message: `${p.name}: ${p.error!.message}`.slice(0, 500), photo: { id: p.id, name: p.name.slice(0, LIMITS.name), error: key } });
    sent.set(p.id, key);
  }
  const engine = s.engine.state === 'failed' ? s.engine.error.code : '';
  if ((sent.get('engine') ?? '') !== engine) {
    if (engine) out.push({ code: EventCodes.ENGINE_FAILED, message: `${engine}: ${s.engine.state === 'failed' ? s.engine.error.message : ''}`.slice(0, 500) });
    sent.set('engine', engine);
  }
  return out;
}

export function confirmMessage(photos: ConfirmedPhoto[], model: string | null = null): ConfirmMessage {
  return {
    v: PROTOCOL_VERSION,
    photos: photos.slice(0, LIMITS.photos).map((p) => ({
      file: p.file,
      name: p.name.slice(0, LIMITS.name),
      score: p.score ? Math.round(p.score.overall) : null,
      band: p.score?.band ?? null,
      cover: p.cover,
      model: p.score ? model : null,
      fixes: p.fixes,
    })),
  };
}

/**
 * The file the host gets for a photo: without its location unless the host asked to keep it
 * (`keepLocation`), prepared once per file.
 */
function filePreparer(keepLocation: boolean) {
  const prepared = new WeakMap<File, Promise<File>>();
  return (file: File): Promise<File> => {
    if (keepLocation) return Promise.resolve(file);
    let p = prepared.get(file);
    if (!p) {
      // a file that cannot be read is sent as it is: its own tile already says why it failed
      p = withoutLocation(file).then(
        (r) => r.file,
        () => file,
      );
      prepared.set(file, p);
    }
    return p;
  };
}

/** The message with every file swapped for the one the host should get. */
async function withFiles<T extends { file: File | null }>(photos: T[], prepare: (f: File) => Promise<File>): Promise<T[]> {
  return Promise.all(photos.map(async (p) => (p.file ? { ...p, file: await prepare(p.file) } : p)));
}

export interface GuestConnection {
  /** Hands the confirmed photos to the host; resolves once the host has them. */
  confirm(photos: ConfirmedPhoto[]): Promise<void>;
  destroy(): void;
}

/**
 * Runs inside the coach iframe: talks only to `hostOrigin` in the parent window, reports
 * changes and the height of `measure`, and answers the host's questions.
 */
export function connectToHost(store: CoachStore, hostOrigin: string, measure: HTMLElement = document.body, options: { keepLocation?: boolean } = {}): GuestConnection {
  const prepare = filePreparer(options.keepLocation ?? false);
  const win = measure.ownerDocument.defaultView ?? window;
  const messenger = new WindowMessenger({ remoteWindow: win.parent, allowedOrigins: [hostOrigin] });
  const methods: GuestMethods = {
    getPhotos: () => summarize(store.getState()),
    setLocale: (locale) => {
      if (!isLocale(locale)) return false;
      store.getState().setLocale(locale);
      return true;
    },
    reset: () => {
      store.getState().reset();
      return true;
    },
    showCoverNudge: async () => {
      if (!store.getState().askCoverNudge()) return { v: PROTOCOL_VERSION, shown: false, top: null };
      // the note renders on the next frame; its place (the component marks it data-cover-nudge) lets the host scroll it into view
      await new Promise((r) => win.requestAnimationFrame(() => win.requestAnimationFrame(r)));
      const note = measure.ownerDocument.querySelector('[data-cover-nudge]');
      const top = note ? Math.max(0, Math.round(note.getBoundingClientRect().top + win.scrollY)) : 0;
      return { v: PROTOCOL_VERSION, shown: true, top: Math.min(top, LIMITS.height) };
    },
    addPhotos: (files) => {
      if (!Array.isArray(files) || files.length > LIMITS.photos || !files.every(isFile)) return 0;
      return store.getState().addFiles(files).length;
    },
  };
  const connection = connect<HostMethods>({ messenger, methods, channel: CHANNEL });
  let host: RemoteProxy<HostMethods> | undefined;
  const ignore = () => {};

  let last = '';
  let sequence = 0;
  const report = async () => {
    const summary = summarize(store.getState());
    // files do not stringify: the ids say when one photo was swapped for another
    const key = JSON.stringify(summary);
    if (!host || key === last) return;
    last = key;
    const mine = ++sequence;
    const photos = await withFiles(summary.photos, prepare);
    // a later change may have been prepared first: only the latest is sent
    if (mine === sequence) host.onChange({ ...summary, photos }).catch(ignore);
  };
  const sentEvents = new Map<string, string>();
  const tell = () => {
    if (!host) return;
    for (const event of newEvents(store.getState(), sentEvents)) host.onEvent({ v: PROTOCOL_VERSION, event }).catch(ignore);
  };
  const unsubscribe = store.subscribe(() => {
    void report();
    tell();
  });

  let height = -1;
  const sendHeight = () => {
    // The element's own extent, not the document's: a document is never shorter than its
    // iframe, so measuring it would let the frame grow but never shrink.
    const h = clampHeight(measure.getBoundingClientRect().bottom + win.scrollY);
    if (!host || h === height) return;
    height = h;
    host.resize({ v: PROTOCOL_VERSION, height: h }).catch(ignore);
  };
  const observer = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(sendHeight) : undefined;
  observer?.observe(measure);

  const ready = connection.promise.then((remote) => {
    host = remote;
    void report();
    tell();
    sendHeight();
    return remote;
  });
  ready.catch(ignore);

  return {
    async confirm(photos) {
      const remote = await ready;
      const message = confirmMessage(photos, modelOf(store.getState()));
      await remote.onConfirm({ ...message, photos: await withFiles(message.photos, prepare) });
    },
    destroy() {
      unsubscribe();
      observer?.disconnect();
      connection.destroy();
    },
  };
}
