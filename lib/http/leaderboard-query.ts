/** Query string of the leaderboard (API and page share it). */
import { z } from 'zod';
import { MODALITIES } from '@/db/schema/common';

export const LeaderboardSearch = z.object({
  modality: z.enum(MODALITIES).optional(),
  class: z.string().min(1).max(200).optional(),
  version: z.coerce.number().int().positive().optional(),
  sort: z.string().min(1).max(40).optional(),
  order: z.enum(['best', 'worst']).optional(),
  snapshot: z.string().regex(/^lb_[0-9a-f]{24}$/, 'must be a snapshot id lb_…').optional(),
});
export type LeaderboardSearch = z.infer<typeof LeaderboardSearch>;

/** Only the keys that are set, as the builder wants them. */
export function leaderboardQuery(s: LeaderboardSearch) {
  return {
    ...(s.modality ? { modality: s.modality } : {}),
    ...(s.class ? { classLabel: s.class } : {}),
    ...(s.version ? { version: s.version } : {}),
    ...(s.sort ? { sort: s.sort } : {}),
    ...(s.order ? { order: s.order } : {}),
  };
}
