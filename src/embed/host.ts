// The script a listing page loads to embed the coach.
import { connect, WindowMessenger, type RemoteProxy } from 'penpal';
import {
  CHANNEL,
  clampHeight,
  isChangeMessage,
  isConfirmMessage,
  isResizeMessage,
  isEventMessage,
  isSignalMessage,
  isCoverNudgeMessage,
  parseOrigin,
  clampCropAspect,
  clampLimits,
  EventCodes,
  type HostLimits,
  PROTOCOL_VERSION,
  type CoachEvent,
  type ConfirmedPhotoMessage,
  type GuestMethods,
  type HostMethods,
  type Locale,
  type PhotoSummary,
} from './protocol';

export { DEFAULT_LIMITS, EventCodes, PROTOCOL_VERSION } from './protocol';
export type { ConfirmedPhotoMessage as CoachPhoto, PhotoSummary, Locale, CoachEvent, EventCode, HostLimits } from './protocol';

export interface MountOptions {
  /** The coach's origin, e.g. "https://coach.example"; the only origin this page talks to. */
  origin: string;
  /** The coach page URL (absolute, or relative to this page); must be on `origin`. Default: `<origin>/coach.html`. */
  src?: string;
  locale?: Locale;
  title?: string;
  onChange?(photos: PhotoSummary[]): void;
  onConfirm?(photos: ConfirmedPhotoMessage[]): void;
  /** Called when the coach cannot be reached (refused, another protocol version, timeout). */
  onError?(error: Error): void;
  /** Every failure, as a typed event with a stable code (EventCodes). */
  onEvent?(event: CoachEvent): void;
  /**
   * Photos reach this page without the location they carry (EXIF GPS, XMP) unless this is true;
   * everything else of the file, its orientation tag included, is kept.
   */
  keepLocation?: boolean;
  /** Photos per listing (default 20, at most 50) and bytes per photo (default 20 MB); enforced in the coach and here. */
  limits?: Partial<HostLimits>;
  /**
   * The shape of the coach's crop-to-the-item fix and of a crop by hand, width / height: 1 (the
   * default) for square thumbnails, 4 / 3 for landscape ones; held to 1:4–4:1.
   */
  cropAspect?: number;
  /** Photos the listing already has (editing a listing): added to the coach once it answers. */
  photos?: File[];
  /** How long to wait for the coach page to answer, in ms. */
  timeout?: number;
}

export interface PhotoCoachHandle {
  iframe: HTMLIFrameElement;
  /** Resolves once the coach answers; its methods are the guest's. */
  ready: Promise<RemoteProxy<GuestMethods>>;
  /** Removes every photo from the coach (call it when the listing form is reset). */
  reset(): Promise<void>;
  /** Adds photos to the coach, e.g. those of a listing being edited; resolves to how many fitted the limits. */
  addPhotos(files: File[]): Promise<number>;
  /**
   * Call before submitting the listing: if the cover photo needs work, the coach shows its note
   * next to the cover again, this page scrolls to it and the coach's frame gets the focus.
   * Resolves to whether the note is shown; never blocks — the listing decides what to do.
   */
  showCoverNudge(): Promise<boolean>;
  destroy(): void;
}

const TITLES: Record<Locale, string> = { en: 'Photo coach', ja: '写真コーチ' };

/**
 * A File of this page wrapping one that arrived from the coach. The coach runs in another
 * process when it is on another site; putting its File itself into a DataTransfer for
 * `input.files` crashes this page's renderer (Chromium 156; a File made here from the same
 * bytes does not). The wrapper references the same bytes: nothing is copied.
 */
function localFile(f: File): File {
  return new File([f], f.name, { type: f.type, lastModified: f.lastModified });
}

export function mountPhotoCoach(element: HTMLElement, options: MountOptions): PhotoCoachHandle {
  const origin = parseOrigin(options.origin);
  if (!origin) throw new TypeError(`origin must be an http(s) origin like "https://coach.example", got ${JSON.stringify(options.origin)}`);
  const url = new URL(options.src ?? `${origin}/coach.html`, location.href);
  if (url.origin !== origin) throw new TypeError(`src ${url.href} is not on the coach origin ${origin}`);
  const locale = options.locale ?? 'en';
  url.searchParams.set('host', location.origin);
  url.searchParams.set('locale', locale);
  if (options.keepLocation) url.searchParams.set('location', 'keep');
  const limits = clampLimits(options.limits);
  url.searchParams.set('max-photos', String(limits.photos));
  url.searchParams.set('max-bytes', String(limits.bytesPerPhoto));
  if (options.cropAspect !== undefined) url.searchParams.set('crop-aspect', String(clampCropAspect(options.cropAspect)));
  // the same limits on this side: a coach that sends more (old or tampered) is cut here too
  const within = <T extends { file: File | null }>(photos: T[]) => photos.slice(0, limits.photos).filter((p) => !p.file || p.file.size <= limits.bytesPerPhoto);

  const iframe = document.createElement('iframe');
  iframe.src = url.href;
  iframe.title = options.title ?? TITLES[locale];
  iframe.allow = 'camera';
  iframe.style.cssText = 'display:block;width:100%;border:0;height:480px';
  element.appendChild(iframe);

  const methods: HostMethods = {
    onChange(m) {
      if (isChangeMessage(m)) options.onChange?.(within(m.photos).map((p) => ({ ...p, file: p.file && localFile(p.file), fixes: p.fixes ?? [] })));
    },
    onConfirm(m) {
      if (isConfirmMessage(m)) options.onConfirm?.(within(m.photos).map((p) => ({ ...p, file: localFile(p.file), fixes: p.fixes ?? [] })));
    },
    resize(m) {
      if (isResizeMessage(m)) iframe.style.height = `${clampHeight(m.height)}px`;
    },
    onEvent(m) {
      if (isEventMessage(m)) options.onEvent?.(m.event);
    },
  };
  const messenger = new WindowMessenger({ remoteWindow: iframe.contentWindow!, allowedOrigins: [origin] });
  const connection = connect<GuestMethods>({ messenger, methods, channel: CHANNEL, timeout: options.timeout ?? 30_000 });

  let destroyed = false;
  // One failure ends the connection and is told once, as an event and to onError.
  let failed = false;
  const fail = (event: CoachEvent) => {
    if (failed || destroyed) return;
    failed = true;
    options.onEvent?.(event);
    options.onError?.(Object.assign(new Error(event.message), { code: event.code }));
  };
  connection.promise.catch((e: Error) => fail({ code: EventCodes.TIMEOUT, message: e.message }));
  // The coach's signals outside the protocol (protocol.ts SignalMessage): from its frame and origin only.
  const onSignal = (e: MessageEvent) => {
    if (e.source !== iframe.contentWindow || e.origin !== origin || !isSignalMessage(e.data)) return;
    if (e.data.type === 'refused') fail({ code: EventCodes.ORIGIN_REFUSED, message: `the coach at ${origin} does not list ${location.origin} in its coach-config.json` });
    else if (e.data.v !== PROTOCOL_VERSION) fail({ code: EventCodes.PROTOCOL_MISMATCH, message: `the coach speaks protocol ${e.data.v}, this SDK ${PROTOCOL_VERSION}` });
    if (failed) connection.destroy();
  };
  window.addEventListener('message', onSignal);

  if (options.photos?.length) connection.promise.then((remote) => remote.addPhotos(options.photos!)).catch(() => {});
  return {
    iframe,
    ready: connection.promise,
    reset: async () => {
      await (await connection.promise).reset();
    },
    addPhotos: async (files) => (await connection.promise).addPhotos(files),
    showCoverNudge: async () => {
      const m = await (await connection.promise).showCoverNudge();
      if (!isCoverNudgeMessage(m) || !m.shown) return false;
      const frameTop = iframe.getBoundingClientRect().top + window.scrollY;
      window.scrollTo({ top: Math.max(0, frameTop + m.top! - 16) });
      iframe.focus();
      return true;
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      window.removeEventListener('message', onSignal);
      connection.destroy();
      iframe.remove();
    },
  };
}
