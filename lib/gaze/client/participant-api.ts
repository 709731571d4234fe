/**
 * Browser client of the participant API (lib/studies/contract.ts; prose in gaze-contract.md).
 * Types only are imported from the contract: the zod schemas stay on the server so that zod is
 * not in the participant page's JavaScript (the page trusts its own server's answers; the server
 * validates everything it receives). Every request after session start carries the token in
 * X-Session-Token; bodies are JSON of numbers and short strings only.
 */
import type {
  CompleteSessionResponse,
  GeometryRequest,
  PublicStudyResponse,
  SampleBatchResponse,
  SessionStateResponse,
  StartSessionRequest,
  StartSessionResponse,
  TrialCompleteRequest,
  TrialStartRequest,
  ValidationRequest,
  ValidationResult,
} from '@/lib/studies/contract';
import type { PendingBatch } from './sample-batcher';
import type { SendResult } from './upload-queue';

/** Same value as contract.ts SESSION_TOKEN_HEADER (a unit test keeps them equal). */
export const TOKEN_HEADER = 'X-Session-Token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    detail: string,
    readonly field?: string,
  ) {
    super(detail);
  }
}

async function parse<T>(res: Response): Promise<T> {
  if (res.ok) return (res.status === 204 ? undefined : await res.json()) as T;
  let body: { error?: string; detail?: string; field?: string } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    body = { detail: res.statusText };
  }
  throw new ApiError(res.status, body.error ?? 'http_error', body.detail ?? `HTTP ${res.status}`, body.field);
}

const json = (body: unknown): RequestInit => ({
  body: JSON.stringify(body),
  headers: { 'Content-Type': 'application/json' },
});

export async function getPublicStudy(slug: string): Promise<PublicStudyResponse> {
  return parse(await fetch(`/api/v1/studies/${encodeURIComponent(slug)}/public`, { cache: 'no-store' }));
}

export async function startSession(slug: string, body: StartSessionRequest): Promise<StartSessionResponse> {
  return parse(await fetch(`/api/v1/studies/${encodeURIComponent(slug)}/sessions`, { method: 'POST', ...json(body) }));
}

/** The calls of one started session. */
export class SessionApi {
  constructor(
    readonly sessionId: string,
    private readonly token: string,
  ) {}

  private url(path: string): string {
    return `/api/v1/sessions/${this.sessionId}${path}`;
  }

  private async call<T>(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<T> {
    const base = body === undefined ? {} : json(body);
    const headers = { ...(base.headers as Record<string, string> | undefined), [TOKEN_HEADER]: this.token };
    return parse(await fetch(this.url(path), { method, cache: 'no-store', ...base, ...init, headers }));
  }

  state(): Promise<SessionStateResponse> {
    return this.call('GET', '');
  }

  /** The mouse alternative (only before any trial has started; study modality 'both'). */
  switchModality(modality: 'webcam' | 'mouse'): Promise<{ modality: 'webcam' | 'mouse' }> {
    return this.call('PUT', '/modality', { modality });
  }

  putGeometry(body: GeometryRequest): Promise<unknown> {
    return this.call('PUT', '/geometry', body);
  }

  postValidation(body: ValidationRequest): Promise<ValidationResult> {
    return this.call('POST', '/validations', body);
  }

  startTrial(trialId: string, body: TrialStartRequest): Promise<unknown> {
    return this.call('POST', `/trials/${trialId}/start`, body);
  }

  completeTrial(trialId: string, body: TrialCompleteRequest = {}): Promise<{ fixations: number; passed?: boolean }> {
    return this.call('POST', `/trials/${trialId}/complete`, body);
  }

  complete(): Promise<CompleteSessionResponse> {
    return this.call('POST', '/complete', {});
  }

  /** Withdrawal: the server deletes everything of this session. */
  withdraw(): Promise<void> {
    return this.call('DELETE', '', undefined, { keepalive: true });
  }

  /** Fetches a trial image (a session route needing the token) and returns a blob: URL for it. */
  async imageObjectUrl(imageUrl: string): Promise<string> {
    const res = await fetch(imageUrl, { headers: { [TOKEN_HEADER]: this.token }, cache: 'no-store' });
    if (!res.ok) await parse(res);
    return URL.createObjectURL(await res.blob());
  }

  /** Upload-queue transport: never throws; the queue decides about retries from the status. */
  async sendBatch(batch: PendingBatch): Promise<SendResult> {
    try {
      await this.call<SampleBatchResponse>('POST', '/samples', { seq: batch.seq, trialId: batch.trialId, samples: batch.samples });
      return { ok: true };
    } catch (err) {
      if (err instanceof ApiError) return { ok: false, status: err.status, detail: `${err.error}: ${err.message}` };
      return { ok: false, status: null, detail: err instanceof Error ? err.message : String(err) };
    }
  }
}
