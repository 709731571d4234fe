/**
 * What survives a reload of the participant page, in sessionStorage (gone when the tab closes;
 * removed at the end of the session and on withdrawal; never localStorage): the session id and
 * token, the next batch seq (so a reload never reuses one: (session, seq) is unique on the server
 * and a reused seq would be answered "duplicate" and its samples silently lost), and the clock
 * origin of the session.
 *
 * Session clock: sample times are `performance.now()` of the page, which restarts at 0 on every
 * reload. Times are therefore sent as ms since the first page's time origin
 * (performance.timeOrigin + performance.now() − origin), which continues across reloads, so a
 * trial restarted after a reload never goes back in time. Within one page it is performance.now()
 * plus a constant.
 */

export interface StoredSession {
  slug: string;
  sessionId: string;
  token: string;
  modality: 'webcam' | 'mouse';
  nextSeq: number;
  /** performance.timeOrigin of the page that started the session (epoch ms). */
  clockOrigin: number;
  /**
   * A trial whose viewing ended but which is not completed yet (its batches may still be in
   * IndexedDB): after a reload they are sent and the trial completed instead of shown again.
   */
  viewedTrialId?: string;
}

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const storageKey = (slug: string) => `gazebench:session:${slug}`;

export function loadSession(storage: KeyValueStorage, slug: string): StoredSession | null {
  const raw = storage.getItem(storageKey(slug));
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<StoredSession>;
    if (
      typeof s.sessionId === 'string' &&
      typeof s.token === 'string' &&
      (s.modality === 'webcam' || s.modality === 'mouse') &&
      Number.isInteger(s.nextSeq) &&
      typeof s.clockOrigin === 'number' &&
      Number.isFinite(s.clockOrigin)
    ) {
      const out: StoredSession = { slug, sessionId: s.sessionId, token: s.token, modality: s.modality, nextSeq: s.nextSeq as number, clockOrigin: s.clockOrigin };
      if (typeof s.viewedTrialId === 'string') out.viewedTrialId = s.viewedTrialId;
      return out;
    }
  } catch {
    // Corrupt entry: treated as no session (below) and removed.
  }
  storage.removeItem(storageKey(slug));
  return null;
}

export function saveSession(storage: KeyValueStorage, s: StoredSession): void {
  storage.setItem(storageKey(s.slug), JSON.stringify(s));
}

export function clearSession(storage: KeyValueStorage, slug: string): void {
  storage.removeItem(storageKey(slug));
}

/** Hands out seqs and persists the next one before returning, so a reload cannot reuse it. */
export function seqAllocator(storage: KeyValueStorage, s: StoredSession): () => number {
  return () => {
    const seq = s.nextSeq;
    s.nextSeq = seq + 1;
    saveSession(storage, s);
    return seq;
  };
}

/** Session clock (see header): ms since `clockOrigin`, continuing across reloads. */
export function sessionClock(clockOrigin: number, timeOrigin: number, now: () => number): () => number {
  const offset = timeOrigin - clockOrigin;
  return () => now() + offset;
}
