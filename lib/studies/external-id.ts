/**
 * External participant IDs (Prolific PID, MTurk worker ID) are never stored: only
 * HMAC-SHA256(server secret, "<study id>:<provider>:<participant id>"), hex. Including the study
 * makes the same person's hashes unlinkable across studies; the secret makes them impossible to
 * reverse by hashing a list of known IDs. Other link parameters (study, session, assignment, HIT
 * IDs) are not kept at all.
 */
import { createHmac } from 'node:crypto';
import type { ExternalIds } from './contract';

export function externalIdHash(secret: string, studyId: string, ids: Pick<ExternalIds, 'provider' | 'participantId'>): string {
  if (secret.length < 16) throw new Error('external IDs: the server secret is missing or shorter than 16 characters');
  return createHmac('sha256', secret).update(`${studyId}:${ids.provider}:${ids.participantId}`).digest('hex');
}
