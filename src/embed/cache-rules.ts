// How the coach's files should be cached, for every server that hosts it (the preview server,
// the test and bench servers, and production: README "Hosting"). Only files whose name holds
// their content hash never change under their URL.

/** Vite's hashed assets and the model's weight shards (`weights.<8 hex>.bin`). */
export const IMMUTABLE_PATH = /^\/(?:assets\/.+-[\w-]{8,}\.\w+|(?:.*\/)?model\/.+\.[0-9a-f]{8}\.bin)$/;

export const IMMUTABLE = 'public, max-age=31536000, immutable';

export function cacheControlFor(path: string): string {
  return IMMUTABLE_PATH.test(path) ? IMMUTABLE : 'no-cache';
}
