import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getDb } from '@/db/client';
import { getDatasetBySlug, listDatasetImages } from '@/db/queries/datasets';
import { canRead } from '@/lib/auth/access';
import { actorOf, currentUser } from '@/lib/auth/current-user';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug } = await params;
  return { title: slug };
}

export default async function DatasetPage({ params }: Props) {
  const { slug } = await params;
  const db = await getDb();
  const dataset = await getDatasetBySlug(db, slug);
  // Private datasets exist only for their owner and admins (404 to everyone else).
  if (!dataset || !canRead(actorOf(await currentUser(db)), dataset)) notFound();
  const images = await listDatasetImages(db, dataset.id);
  const classes = [...new Set(images.map((i) => i.classLabel).filter((c): c is string => !!c))].sort();
  return (
    <div className="space-y-6">
      <div className="space-y-2">
        <h1 className="text-2xl font-semibold">{dataset.name}</h1>
        <p className="max-w-3xl text-stone-700">{dataset.description}</p>
        <p className="text-sm text-stone-600">
          <span data-testid="dataset-image-count">{images.length}</span> images · classes: {classes.join(', ')} ·{' '}
          <Link href={`/leaderboard/${dataset.slug}`} className="text-blue-700 hover:underline">
            leaderboard
          </Link>
        </p>
      </div>
      <ul className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-6" aria-label="Images">
        {images.map((img) => (
          <li key={img.id} className="overflow-hidden rounded border border-stone-200 bg-white">
            <Link href={`/images/${img.id}`} className="block">
              {/* eslint-disable-next-line @next/next/no-img-element */}
              <img src={`/api/v1/images/${img.id}/file`} alt={img.name} width={img.width} height={img.height} className="h-auto w-full" loading="lazy" />
              <span className="block px-2 py-1 text-xs text-stone-700" data-testid="class-label">
                {img.classLabel ?? 'unlabelled'}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
