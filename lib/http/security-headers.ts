/**
 * Content-Security-Policy of pages and API answers (issue 7, "Bad input and security").
 *
 * Pages: our origin only. Scripts need the per-request nonce (proxy.ts makes one; Next.js puts it
 * on its own inline and bundle scripts) or to come from our origin ('self': the WebGazer and TF.js
 * files under public/); no 'unsafe-inline' for scripts and no 'strict-dynamic' (a same-origin
 * script added by WebGazer or a worker loader must still load). 'wasm-unsafe-eval' lets TF.js's
 * wasm backend (and MediaPipe) compile WebAssembly without allowing eval(). Workers may come from
 * our origin or blob: URLs (the explainer worker). Images, video and fetches: our origin, plus
 * data:/blob: images, blob:/mediastream: media (the webcam preview). Styles allow 'unsafe-inline':
 * React style attributes (progress bars, heatmap overlays) cannot carry a nonce. Development
 * (`next dev`) also needs 'unsafe-eval' for React's debugging tools.
 * API answers get a policy that allows nothing to run: they are data, not documents.
 */
export interface PagePolicyOptions {
  readonly nonce: string;
  readonly dev?: boolean;
  /**
   * Participant study pages (/s/…) only: WebGazer 3.5.3's bundled TF.js and MediaPipe loaders
   * compile code at run time, and without 'unsafe-eval' the camera step never starts (measured
   * with the e2e fake camera: "No stream"). Every other page keeps the strict policy.
   */
  readonly allowEval?: boolean;
}

export function pageContentSecurityPolicy({ nonce, dev = false, allowEval = false }: PagePolicyOptions): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'wasm-unsafe-eval'${dev || allowEval ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/** Sent with every answer (next.config.ts). The camera is ours to ask for (participants' webcams); nothing else. */
export const COMMON_SECURITY_HEADERS: readonly { key: string; value: string }[] = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(self), microphone=(), geolocation=(), payment=(), usb=()' },
];

/** A fresh nonce: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}
