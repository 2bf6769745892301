// A scratch canvas for reading pixels or probing WebGL: an OffscreenCanvas wherever there is one
// (workers, every current browser's page), else a page's own canvas element. The element is
// typed as an OffscreenCanvas: it has every member used on it here (width, height,
// getContext('2d' | 'webgl' | 'webgl2')), and worker code cannot name DOM types.

type PageDocument = { createElement(tag: 'canvas'): OffscreenCanvas };

export function scratchCanvas(width: number, height: number): OffscreenCanvas {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height);
  const page = (globalThis as { document?: PageDocument }).document;
  if (!page) throw new Error('no canvas in this context');
  return Object.assign(page.createElement('canvas'), { width, height });
}
