// What a listing site takes, set through the SDK and enforced by the coach's store and by the
// SDK itself: photos per listing (default 20, as marketplaces allow; at most 50) and bytes per
// photo (default 20 MB, 100 kB–50 MB). embed/protocol.ts carries them across the frame.

export interface HostLimits {
  photos: number;
  bytesPerPhoto: number;
}

export const MAX_PHOTOS = 50;

export const DEFAULT_LIMITS: HostLimits = { photos: 20, bytesPerPhoto: 20 * 1024 * 1024 };
