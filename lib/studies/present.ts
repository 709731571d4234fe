/**
 * Database rows → the participant contract's shapes (lib/studies/contract). Images are served per
 * trial through the session route, so a participant only ever fetches the images of their trials.
 */
import type { Trial, TrialStatus } from './contract';

export interface TrialRowView {
  id: string;
  position: number;
  kind: string;
  status: string;
  imageId: string | null;
  width: number | null;
  height: number | null;
  detail: Record<string, unknown> | null;
}

export function trialImageUrl(sessionId: string, trialId: string): string {
  return `/api/v1/sessions/${sessionId}/trials/${trialId}/image`;
}

export function presentTrial(sessionId: string, t: TrialRowView): Trial {
  const status = t.status as TrialStatus;
  const base = { id: t.id, position: t.position, status };
  if (t.kind === 'drift' || t.imageId === null) return { kind: 'drift', ...base };
  const image = { imageId: t.imageId, imageUrl: trialImageUrl(sessionId, t.id), width: t.width ?? 0, height: t.height ?? 0 };
  if (t.kind === 'attention') {
    const target = (t.detail?.target as { x: number; y: number } | undefined) ?? { x: 0, y: 0 };
    const radiusDeg = Number(t.detail?.radiusDeg ?? 0);
    return { kind: 'attention', ...base, ...image, target, radiusDeg };
  }
  return { kind: 'image', ...base, ...image };
}
