/**
 * Recruitment-platform parameters of a study link /s/<slug>?…, as the platforms send them:
 * Prolific appends PROLIFIC_PID, STUDY_ID and SESSION_ID (Prolific help centre, "Study URL
 * parameters"); MTurk external questions get workerId, assignmentId and hitId (an assignmentId of
 * ASSIGNMENT_ID_NOT_AVAILABLE is the worker's preview, before accepting the HIT). The server
 * stores only an HMAC of provider + participant ID. A value that is not a plain ID (letters,
 * digits, _ and -, ≤ 128 chars, the contract's rule) is ignored rather than sent.
 */
import type { ExternalIds } from '@/lib/studies/contract';

type Params = Record<string, string | string[] | undefined>;

const ID = /^[A-Za-z0-9_-]{1,128}$/;
export const MTURK_PREVIEW_ASSIGNMENT = 'ASSIGNMENT_ID_NOT_AVAILABLE';

function first(params: Params, key: string): string | undefined {
  const v = params[key];
  const s = Array.isArray(v) ? v[0] : v;
  return s !== undefined && ID.test(s) ? s : undefined;
}

export interface StudyLink {
  externalIds: ExternalIds | undefined;
  /** MTurk preview (HIT not accepted yet): show the information page only, start nothing. */
  mturkPreview: boolean;
}

export function parseStudyLink(params: Params): StudyLink {
  const pid = first(params, 'PROLIFIC_PID');
  if (pid) {
    const ids: ExternalIds = { provider: 'prolific', participantId: pid };
    const studyId = first(params, 'STUDY_ID');
    const sessionId = first(params, 'SESSION_ID');
    if (studyId) ids.studyId = studyId;
    if (sessionId) ids.sessionId = sessionId;
    return { externalIds: ids, mturkPreview: false };
  }
  const assignment = Array.isArray(params.assignmentId) ? params.assignmentId[0] : params.assignmentId;
  if (assignment === MTURK_PREVIEW_ASSIGNMENT) return { externalIds: undefined, mturkPreview: true };
  const worker = first(params, 'workerId');
  if (worker) {
    const ids: ExternalIds = { provider: 'mturk', participantId: worker };
    const assignmentId = first(params, 'assignmentId');
    const hitId = first(params, 'hitId');
    if (assignmentId) ids.assignmentId = assignmentId;
    if (hitId) ids.hitId = hitId;
    return { externalIds: ids, mturkPreview: false };
  }
  return { externalIds: undefined, mturkPreview: false };
}
