import { getDb } from '@/db/client';
import { listPublicDatasets } from '@/db/queries/datasets';

export const dynamic = 'force-dynamic';

export async function GET() {
  const datasets = await listPublicDatasets(await getDb());
  return Response.json({
    datasets: datasets.map((d) => ({
      id: d.id,
      slug: d.slug,
      name: d.name,
      description: d.description,
      demo: d.isDemo,
      imageCount: d.imageCount,
      createdAt: d.createdAt.toISOString(),
    })),
  });
}
