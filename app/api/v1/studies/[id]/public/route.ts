import { getDb } from '@/db/client';
import { assertStudyOpen, getStudyBySlug } from '@/db/queries/studies';
import { StudySlugParams } from '@/lib/http/params';
import { answer, parseWith } from '@/lib/http/participant';
import { publicConfig } from '@/lib/studies/config';
import type { PublicStudyResponse } from '@/lib/studies/contract';

export const dynamic = 'force-dynamic';

/** The study behind a link /s/<slug>: 404 unknown (or draft), 409 paused, closed or full. */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  return answer(async () => {
    const { id: slug } = parseWith(StudySlugParams, await ctx.params);
    const db = await getDb();
    const study = await getStudyBySlug(db, slug);
    const { config } = await assertStudyOpen(db, study);
    const body: PublicStudyResponse = {
      slug,
      name: study?.name ?? '',
      status: study?.status ?? 'open',
      consentText: study?.consentText ?? '',
      config: publicConfig(config),
    };
    return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
  });
}
