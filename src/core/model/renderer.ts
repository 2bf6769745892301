import { scratchCanvas } from '../image/canvas';

// The one probe of which WebGL renderer this device has. WebGL drawn by a CPU rasteriser
// (SwiftShader, llvmpipe, Windows' basic render driver) runs this model 10–20× slower than wasm
// (tools/bench/RESULTS.md), so the backend policy in scorer.ts skips it.

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/** Whether a renderer name is a CPU rasteriser. */
export const isSoftwareRenderer = (renderer: string) => SOFTWARE.test(renderer);

/**
 * The renderer's name for `gl` (e.g. tfjs's own context), or for a throwaway context when none
 * is given; '' where there is no WebGL.
 */
export function webglRenderer(gl?: WebGLRenderingContext | WebGL2RenderingContext | null): string {
  try {
    let own = false;
    if (!gl) {
      const canvas = scratchCanvas(1, 1);
      gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
      own = true;
    }
    if (!gl) return '';
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    if (own) gl.getExtension('WEBGL_lose_context')?.loseContext();
    return renderer;
  } catch {
    return '';
  }
}
