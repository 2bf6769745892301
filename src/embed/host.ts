// The script a listing page loads to embed the coach.
import { connect, WindowMessenger, type RemoteProxy } from 'penpal';
import {
  CHANNEL,
  clampHeight,
  isChangeMessage,
  isConfirmMessage,
  isResizeMessage,
  parseOrigin,
  type ConfirmedPhotoMessage,
  type GuestMethods,
  type HostMethods,
  type Locale,
  type PhotoSummary,
} from './protocol';

export { PROTOCOL_VERSION } from './protocol';
export type { ConfirmedPhotoMessage as CoachPhoto, PhotoSummary, Locale };

export interface MountOptions {
  /** The coach's origin, e.g. "https://coach.example"; the only origin this page talks to. */
  origin: string;
  /** The coach page URL (absolute, or relative to this page); must be on `origin`. */
  src: string;
  locale?: Locale;
  title?: string;
  onChange?(photos: PhotoSummary[]): void;
  onConfirm?(photos: ConfirmedPhotoMessage[]): void;
  /** Called when the coach cannot be reached (e.g. wrong origin, connection timeout). */
  onError?(error: Error): void;
  /**
   * Photos reach this page without the location they carry (EXIF GPS, XMP) unless this is true;
   * everything else of the file, its orientation tag included, is kept.
   */
  keepLocation?: boolean;
  /** How long to wait for the coach page to answer, in ms. */
  timeout?: number;
}

export interface PhotoCoachHandle {
  iframe: HTMLIFrameElement;
  /** Resolves once the coach answers; its methods are the guest's. */
  ready: Promise<RemoteProxy<GuestMethods>>;
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
  const url = new URL(options.src, location.href);
  if (url.origin !== origin) throw new TypeError(`src ${url.href} is not on the coach origin ${origin}`);
  const locale = options.locale ?? 'en';
  url.searchParams.set('host', location.origin);
  url.searchParams.set('locale', locale);
  if (options.keepLocation) url.searchParams.set('location', 'keep');

  const iframe = document.createElement('iframe');
  iframe.src = url.href;
  iframe.title = options.title ?? TITLES[locale];
  iframe.allow = 'camera';
  iframe.style.cssText = 'display:block;width:100%;border:0;height:480px';
  element.appendChild(iframe);

  const methods: HostMethods = {
    onChange(m) {
      if (isChangeMessage(m)) options.onChange?.(m.photos.map((p) => ({ ...p, file: p.file && localFile(p.file) })));
    },
    onConfirm(m) {
      if (isConfirmMessage(m)) options.onConfirm?.(m.photos.map((p) => ({ ...p, file: localFile(p.file) })));
    },
    resize(m) {
      if (isResizeMessage(m)) iframe.style.height = `${clampHeight(m.height)}px`;
    },
  };
  const messenger = new WindowMessenger({ remoteWindow: iframe.contentWindow!, allowedOrigins: [origin] });
  const connection = connect<GuestMethods>({ messenger, methods, channel: CHANNEL, timeout: options.timeout ?? 30_000 });
  connection.promise.catch((e: Error) => options.onError?.(e));

  let destroyed = false;
  return {
    iframe,
    ready: connection.promise,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      connection.destroy();
      iframe.remove();
    },
  };
}
