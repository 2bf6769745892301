// The Content-Security-Policy headers the coach is built to run under (README: "Embedding").
// Nothing in the coach needs inline scripts or styles, eval, or any origin but its own: tfjs's
// wasm backend needs 'wasm-unsafe-eval' only to compile its own .wasm files.

/** For every response of the coach's origin (coach.html, its scripts, worker, model files). */
export function coachCsp(hostOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    "connect-src 'self'",
    "img-src 'self' blob:",
    "style-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${hostOrigins.join(' ')}`,
  ].join('; ');
}

/** What the listing page's own policy needs for the coach: to frame its origin. */
export function hostCsp(coachOrigin: string): string {
  return ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' blob:", `frame-src ${coachOrigin}`, "object-src 'none'", "base-uri 'none'", "form-action 'self'"].join('; ');
}
