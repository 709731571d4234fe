/**
 * Balanced trial assignment for a new session (issue 5, "Trials are assigned balanced so every
 * image reaches its target number of observers"). Pure: the caller reads the observer counts
 * under a per-study lock and passes its seeded random.
 *
 * 1. Images with the fewest observers (sessions accepted, awaiting review, or started recently)
 *    first; ties by dataset position, then id (deterministic).
 * 2. The chosen images are shown in a random order (seeded per session), so order effects spread.
 * 3. A drift check after every `driftEvery`-th image trial and an attention check after every
 *    `attentionChecks.every`-th, never after the last image; drift first when both fall together.
 *    The sentinel image is one the participant does not view freely (any image when all are
 *    chosen), with its target drawn uniformly in the central 70 % of the image.
 */
import type { Random } from '@/lib/random';
import type { StudyConfig } from './config';

export interface ImageLoad {
  id: string;
  position: number;
  width: number;
  height: number;
  observers: number;
}

export type PlannedTrial =
  | { kind: 'image'; imageId: string }
  | { kind: 'attention'; imageId: string; target: { x: number; y: number } }
  | { kind: 'drift' };

const TARGET_MARGIN = 0.15;

export function chooseImages(images: readonly ImageLoad[], count: number): ImageLoad[] {
  return [...images]
    .sort((a, b) => a.observers - b.observers || a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, Math.max(0, count));
}

function shuffle<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export function planTrials(
  images: readonly ImageLoad[],
  config: Pick<StudyConfig, 'imagesPerParticipant' | 'driftEvery' | 'attentionChecks'>,
  random: Random,
): PlannedTrial[] {
  const chosen = chooseImages(images, config.imagesPerParticipant);
  const order = shuffle(chosen, random);
  const chosenIds = new Set(chosen.map((c) => c.id));
  const spare = images.filter((i) => !chosenIds.has(i.id));
  const sentinelPool = spare.length > 0 ? spare : images;
  const out: PlannedTrial[] = [];
  order.forEach((img, k) => {
    out.push({ kind: 'image', imageId: img.id });
    const n = k + 1;
    if (n === order.length) return;
    if (config.driftEvery > 0 && n % config.driftEvery === 0) out.push({ kind: 'drift' });
    if (config.attentionChecks.every > 0 && n % config.attentionChecks.every === 0 && sentinelPool.length > 0) {
      const s = sentinelPool[random.int(sentinelPool.length)] as ImageLoad;
      const span = 1 - 2 * TARGET_MARGIN;
      out.push({
        kind: 'attention',
        imageId: s.id,
        target: { x: Math.round(s.width * (TARGET_MARGIN + span * random.next())), y: Math.round(s.height * (TARGET_MARGIN + span * random.next())) },
      });
    }
  });
  return out;
}

/** A 32-bit seed from a UUID (its first 8 hex digits), so a session's plan is reproducible from its id. */
export function seedFromUuid(id: string): number {
  return Number.parseInt(id.replace(/-/g, '').slice(0, 8), 16) >>> 0;
}
