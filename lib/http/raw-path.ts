/**
 * The shared decoding step for path parameters, run on the raw request path before any router:
 * Next.js answers 500 when a path segment is not valid percent-encoding or does not decode to
 * UTF-8 (`/api/v1/datasets/%ZZ`, `/api/v1/datasets/%C0%AE%C0%AE`). Such a path is a 400 naming the
 * parameter of the route it would have matched (`id`, `file`, `trialId` …), or `path`.
 */

export interface BadPath {
  readonly field: string;
  readonly detail: string;
}

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

/** Whether every segment of a raw path decodes (the cheap check run on every request). */
export function pathDecodes(rawPath: string): boolean {
  return !rawPath.includes('%') || rawPath.split('/').every(decodes);
}

/**
 * The first segment of `rawPath` (no query) that does not decode, named after the parameter at its
 * place in the first matching template (`/api/v1/datasets/{id}`), or null when every segment decodes.
 */
export function badPathSegment(rawPath: string, templates: readonly string[]): BadPath | null {
  const segments = rawPath.split('/');
  const index = segments.findIndex((s) => !decodes(s));
  if (index < 0) return null;
  const detail = `path segment ${index} ('${segments[index]}') is not valid percent-encoded UTF-8`;
  for (const template of templates) {
    const parts = template.split('/');
    if (parts.length !== segments.length) continue;
    const matches = parts.every((p, i) => i === index || /^\{\w+\}$/.test(p) || p === segments[i]);
    const param = /^\{(\w+)\}$/.exec(parts[index] ?? '');
    if (matches && param) return { field: param[1] as string, detail: `${param[1]}: ${detail}` };
  }
  return { field: 'path', detail };
}
