'use client';
/**
 * Browser side of the API for our own pages: JSON requests with the session's CSRF token (read
 * from <meta name="csrf-token">, rendered by the root layout) and errors as ApiError carrying the
 * server's {error, field, detail}. Uploads go through XMLHttpRequest for progress events.
 */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;

  constructor(status: number, code: string, detail: string, field?: string) {
    super(detail);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

async function toError(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as { error?: string; detail?: string; field?: string };
  return new ApiError(res.status, body.error ?? 'error', body.detail ?? `${res.status} ${res.statusText}`, body.field);
}

export async function apiJson<T>(path: string, options: { method?: string; json?: unknown } = {}): Promise<T> {
  const method = options.method ?? (options.json === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { 'X-CSRF-Token': csrfToken() };
  if (options.json !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: options.json === undefined ? undefined : JSON.stringify(options.json), credentials: 'same-origin' });
  if (!res.ok) throw await toError(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** POSTs a form (files) with upload progress (0..1). */
export function apiUpload<T>(path: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'the upload failed (network error)'));
    xhr.onload = () => {
      let body: { error?: string; detail?: string; field?: string } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        // not JSON: reported below by status
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else reject(new ApiError(xhr.status, body.error ?? 'error', body.detail ?? `upload failed (${xhr.status})`, body.field));
    };
    xhr.send(form);
  });
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.field ? `${error.field}: ${error.message}` : error.message;
  return error instanceof Error ? error.message : String(error);
}
