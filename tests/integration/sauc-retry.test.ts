/**
 * sAUC needs negatives: the fixations of the dataset's *other* images. An image that gets ground
 * truth first is scored before any other image has fixations, so its sAUC fails ("no fixations to
 * use as negatives"). Its own version does not change when the others get ground truth, so the
 * next scoring of the run must retry that one failure and replace it by a score — otherwise the
 * leaderboard's sAUC column stays short of images forever (seen in the whole-flow e2e test).
 * The reference rows of that version (ceiling sAUC, the mean-fixation baseline) likewise.
 */
import fs from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as postMaps } from '@/app/api/v1/runs/[id]/maps/route';
import type { DbHandle } from '@/db/client';
import { createRun } from '@/db/queries/runs';
import { datasets, densityMaps, images, models, referenceScores, scoreFailures, scores } from '@/db/schema';
import { importCommand } from '@/lib/cli/import';
import { writeNpy } from '@/lib/io/npy';
import { stopQueue } from '@/lib/jobs/queue';
import { computeReference } from '@/lib/scoring/reference';
import { scoreRun } from '@/lib/scoring/score-run';
import { driver, freshDb, tempDir } from './helpers';
import { centreMap, createResearcher, params, type TestUser } from './scoring-helpers';

const W = 64;
const H = 48;

describe(`sAUC is retried once negatives exist, on ${driver}`, () => {
  let handle: DbHandle;
  let alice: TestUser;
  let dir: string;
  let runId = '';
  let datasetId = '';
  const ids: Record<string, string> = {};

  async function importCsv(name: string, rows: string[]): Promise<void> {
    const file = path.join(dir, name);
    fs.writeFileSync(file, ['image,observer,x,y,duration_ms', ...rows].join('\n'));
    expect(await importCommand(['--dataset', 'sauc-set', '--fixations', file, '--ppd', '8', '--modality', 'lab'], { handle, enqueue: false })).toBe(0);
  }
  const scoreRows = (image: string) =>
    handle.db.select().from(scores).where(and(eq(scores.runId, runId), eq(scores.imageId, ids[image] ?? ''), eq(scores.metric, 'aucShuffled')));
  const referenceRows = async (image: string, kind: string, metric?: string) => {
    const [version] = await handle.db.select({ id: densityMaps.id }).from(densityMaps).where(and(eq(densityMaps.imageId, ids[image] ?? ''), eq(densityMaps.modality, 'lab')));
    const rows = await handle.db.select().from(referenceScores).where(and(eq(referenceScores.densityMapId, version?.id ?? ''), eq(referenceScores.kind, kind)));
    return rows.filter((r) => metric === undefined || r.metric === metric);
  };
  const failureRows = (image: string) =>
    handle.db.select().from(scoreFailures).where(and(eq(scoreFailures.runId, runId), eq(scoreFailures.imageId, ids[image] ?? ''), eq(scoreFailures.metric, 'aucShuffled')));

  beforeAll(async () => {
    handle = await freshDb();
    dir = tempDir();
    alice = await createResearcher(handle.db, 'alice@example.org');
    const [d] = await handle.db.insert(datasets).values({ slug: 'sauc-set', name: 'sAUC set', ownerId: alice.userId, visibility: 'private' }).returning();
    datasetId = d!.id;
    const inserted = await handle.db
      .insert(images)
      .values(['a.png', 'b.png'].map((name, i) => ({ datasetId: d!.id, name, width: W, height: H, sha256: '0'.repeat(64), mimeType: 'image/png', bytes: 1, position: i })))
      .returning();
    for (const img of inserted) ids[img.name.replace('.png', '')] = img.id;
    const [model] = await handle.db.insert(models).values({ slug: 'm', name: 'm', url: '/models/x/model.json', labels: ['a'], preprocessing: 'unit', inputWidth: 32, inputHeight: 32 }).returning();
    const run = await createRun(handle.db, { datasetId: d!.id, modelId: model!.id, explainer: 'centre', params: {}, target: {}, name: 'r', ownerId: alice.userId, modality: 'lab' });
    runId = run.id;
    for (const image of ['a', 'b']) {
      const res = await postMaps(
        new Request(`http://x/api/v1/runs/${runId}/maps?image=${image}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/octet-stream', ...alice.auth },
          body: writeNpy(centreMap(W, H, W * 0.3, H * 0.4)) as Uint8Array<ArrayBuffer>,
        }),
        params({ id: runId }),
      );
      expect(res.status).toBe(201);
    }
    await stopQueue();
  });
  afterAll(async () => {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails while the image is the only one with fixations, then scores it when another image gets some', async () => {
    await importCsv('a.csv', ['a.png,P1,20,20,300', 'a.png,P1,40,30,250', 'a.png,P3,22,19,280', 'a.png,P3,45,33,240']);
    expect(await scoreRun(handle.db, runId)).toMatchObject({ stored: 7, failed: 1 });
    // The reference rows of a: no sAUC and no mean-fixation baseline without negatives.
    expect(await computeReference(handle.db, datasetId, 'lab')).toEqual({ versions: 1 });
    expect(await referenceRows('a', 'ceiling', 'aucShuffled')).toHaveLength(0);
    expect(await referenceRows('a', 'baseline:mean-fixations')).toHaveLength(0);
    expect(await referenceRows('a', 'ceiling', 'cc')).toHaveLength(1);
    const [failure] = await failureRows('a');
    expect(failure?.message).toMatch(/no fixations to use as negatives/);
    expect(await scoreRows('a')).toHaveLength(0);

    // Image b gets ground truth: b is scored in full, and a's sAUC is retried against b's fixations.
    await importCsv('b.csv', ['b.png,P2,10,10,300', 'b.png,P2,50,40,200']);
    expect(await scoreRun(handle.db, runId)).toMatchObject({ stored: 9, failed: 0 });
    const [score] = await scoreRows('a');
    expect(Number.isFinite(score?.value)).toBe(true);
    expect(score?.densityMapId).toBe(failure?.densityMapId);
    expect(await failureRows('a')).toHaveLength(0);
    expect(await scoreRows('b')).toHaveLength(1);

    // a's reference rows are computed again with b's fixations as negatives; b's for the first time.
    expect(await computeReference(handle.db, datasetId, 'lab')).toEqual({ versions: 2 });
    for (const image of ['a', 'b']) {
      expect(await referenceRows(image, 'baseline:mean-fixations', 'cc')).toHaveLength(1);
      expect(await referenceRows(image, 'baseline:centre', 'aucShuffled')).toHaveLength(1);
    }
    const [ceilingSauc] = await referenceRows('a', 'ceiling', 'aucShuffled');
    expect(ceilingSauc?.value).toBeGreaterThan(0);
    expect(ceilingSauc?.value).toBeLessThanOrEqual(1);
    expect(await computeReference(handle.db, datasetId, 'lab')).toEqual({ versions: 0 });

    // Settled now: nothing more to do, nothing stored twice.
    expect(await scoreRun(handle.db, runId)).toMatchObject({ stored: 0, failed: 0 });
    expect(await handle.db.select().from(scores).where(eq(scores.runId, runId))).toHaveLength(16);
  });
});
