import { getDb } from '@/db/client';
import { studyProgressRows } from '@/db/queries/studies';
import { IdParams } from '@/lib/api/common';
import type { ProgressBody } from '@/lib/api/studies';
import { authorize } from '@/lib/auth/authorize';
import { notFound, parseWith, withHttpErrors } from '@/lib/http/errors';
import { readableStudy } from '@/lib/http/resources';
import { groundTruthState } from '@/lib/ground-truth/state';
import { StudyConfig } from '@/lib/studies/config';
import { accuracyDistribution, sessionCounts } from '@/lib/studies/progress';
import type { z } from 'zod';

export const dynamic = 'force-dynamic';

/** Ground-truth modalities a study collects ('both' = webcam, with the mouse alternative). */
const MODALITIES = { webcam: ['webcam'], mouse: ['mouse'], both: ['webcam', 'mouse'] } as const;

export async function GET(request: Request, ctx: { params: Promise<{ id: string }> }) {
  return withHttpErrors(async () => {
    const { id } = parseWith(IdParams, await ctx.params);
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'signed-in' });
    if (actor instanceof Response) return actor;
    const study = await readableStudy(db, actor, id);
    if (!study) return notFound('study');
    const config = StudyConfig.parse(study.config);
    const rows = await studyProgressRows(db, study);
    const collected = new Set<string>(MODALITIES[config.modality]);
    const convergence = (await groundTruthState(db, study.datasetId))
      .filter((m) => collected.has(m.modality))
      .map((m) => ({ modality: m.modality, images: m.consistency.images, curve: [...m.consistency.curve], splitHalf: m.consistency.splitHalf, observersNeeded: m.consistency.observersNeeded }));
    const body: z.infer<typeof ProgressBody> = {
      studyId: study.id,
      status: study.status,
      sessions: sessionCounts(rows.byStatus, study.withdrawnCount),
      participantCap: study.participantCap,
      observersPerImage: config.observersPerImage,
      images: {
        total: rows.images.length,
        atTarget: rows.images.filter((i) => i.accepted >= config.observersPerImage).length,
        list: rows.images.map(({ imageId, name, accepted, assigned }) => ({ imageId, name, accepted, assigned })),
      },
      accuracy: accuracyDistribution(rows.accuracy, config.validationThresholdDeg),
      convergence,
    };
    return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
  });
}
