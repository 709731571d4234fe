import { describe, expect, it } from 'vitest';
import { ExternalIds, SESSION_TOKEN_HEADER } from '@/lib/studies/contract';
import { EYE_LANDMARKS, faceBox, faceBoxState } from './face-box';
import { TOKEN_HEADER } from './participant-api';
import { clearSession, loadSession, saveSession, seqAllocator, sessionClock, storageKey, type KeyValueStorage, type StoredSession } from './session-store';
import { parseStudyLink } from './study-link';

class MapStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

describe('parseStudyLink', () => {
  it('reads Prolific parameters into a contract-valid ExternalIds', () => {
    const link = parseStudyLink({ PROLIFIC_PID: '5f1a2b', STUDY_ID: 'st_1', SESSION_ID: 'se-9' });
    expect(link.externalIds).toEqual({ provider: 'prolific', participantId: '5f1a2b', studyId: 'st_1', sessionId: 'se-9' });
    expect(ExternalIds.safeParse(link.externalIds).success).toBe(true);
  });

  it('reads MTurk parameters, and treats the preview assignment as no participant yet', () => {
    const link = parseStudyLink({ workerId: 'A1B2', assignmentId: '3XYZ', hitId: ['H7', 'H8'] });
    expect(link.externalIds).toEqual({ provider: 'mturk', participantId: 'A1B2', assignmentId: '3XYZ', hitId: 'H7' });
    expect(ExternalIds.safeParse(link.externalIds).success).toBe(true);
    expect(parseStudyLink({ assignmentId: 'ASSIGNMENT_ID_NOT_AVAILABLE', hitId: 'H7' })).toEqual({ externalIds: undefined, mturkPreview: true });
  });

  it('ignores values that are not plain IDs, and an anonymous link has none', () => {
    expect(parseStudyLink({ PROLIFIC_PID: 'a b<script>' }).externalIds).toBeUndefined();
    expect(parseStudyLink({ PROLIFIC_PID: 'ok1', STUDY_ID: 'x'.repeat(129) }).externalIds).toEqual({ provider: 'prolific', participantId: 'ok1' });
    expect(parseStudyLink({})).toEqual({ externalIds: undefined, mturkPreview: false });
  });
});

describe('session store', () => {
  const base: StoredSession = { slug: 'demo-study', sessionId: 's1', token: 'tok', modality: 'webcam', nextSeq: 0, clockOrigin: 1.7e12 };

  it('round-trips, and removes a corrupt entry', () => {
    const st = new MapStorage();
    saveSession(st, { ...base });
    expect(loadSession(st, 'demo-study')).toEqual(base);
    expect(loadSession(st, 'other')).toBeNull();
    st.setItem(storageKey('demo-study'), '{"sessionId":1}');
    expect(loadSession(st, 'demo-study')).toBeNull();
    expect(st.map.size).toBe(0);
    saveSession(st, { ...base });
    clearSession(st, 'demo-study');
    expect(st.map.size).toBe(0);
  });

  it('persists the next seq before handing one out, so a reload continues after it', () => {
    const st = new MapStorage();
    const s = { ...base };
    saveSession(st, s);
    const next = seqAllocator(st, s);
    expect([next(), next(), next()]).toEqual([0, 1, 2]);
    const reloaded = loadSession(st, 'demo-study');
    expect(reloaded?.nextSeq).toBe(3);
    expect(seqAllocator(st, reloaded as StoredSession)()).toBe(3);
  });

  it('the session clock continues across page loads', () => {
    const origin = 1_700_000_000_000;
    const first = sessionClock(origin, origin, () => 5000);
    expect(first()).toBe(5000);
    // A reload 8 s after the first page's origin; the new page's performance.now() restarts at 0.
    const second = sessionClock(origin, origin + 8000, () => 10);
    expect(second()).toBe(8010);
    expect(second()).toBeGreaterThan(first());
  });

  it('uses the contract header name', () => {
    expect(TOKEN_HEADER).toBe(SESSION_TOKEN_HEADER);
  });
});

describe('faceBoxState', () => {
  const video = { width: 640, height: 480 };
  const face = (dx: number, dy: number) => {
    const pts: number[][] = Array.from({ length: 468 }, () => [320 + dx, 240 + dy, 0]);
    for (const i of EYE_LANDMARKS) pts[i] = [320 + dx + (i % 7) - 3, 240 + dy + (i % 5) - 2, 0];
    return pts;
  };

  it('the box is 0.66 of the shorter side, centred', () => {
    expect(faceBox(video)).toEqual({ x0: 320 - 158.4, y0: 240 - 158.4, x1: 320 + 158.4, y1: 240 + 158.4 });
  });

  it('centred face → centred; shifted out of the box → off-centre; none or unknown video', () => {
    expect(faceBoxState(face(0, 0), video)).toBe('centred');
    expect(faceBoxState(face(150, 0), video)).toBe('centred');
    expect(faceBoxState(face(170, 0), video)).toBe('off-centre');
    expect(faceBoxState(face(0, -170), video)).toBe('off-centre');
    expect(faceBoxState([], video)).toBe('none');
    expect(faceBoxState(null, video)).toBe('none');
    expect(faceBoxState(face(0, 0), { width: 0, height: 0 })).toBe('unknown');
  });
});
