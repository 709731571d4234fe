/** A same-site path to go to after signing in; anything else (absolute URLs, "//host") → fallback. */
export function safeNextPath(value: string | string[] | undefined, fallback = '/workspace'): string {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v || !v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\')) return fallback;
  return v;
}
