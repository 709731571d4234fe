/**
 * Gaze sample ingestion, the hot path of a study (one request per participant per second).
 *
 * Common case: ONE statement, shared by the batches that arrive together (BatchInserter: a group
 * insert, each row checked on its own). The trial context needed to map screen → image pixels
 * (rectangle, image size, viewing time) is cached per (session, trial, token hash) after a first
 * look-up; the INSERT itself re-checks, row by row, everything the cache could have got wrong:
 *   INSERT … SELECT … WHERE
 *     EXISTS (session with this id AND token hash, in progress; trial of it, shown, at the cached
 *             rectangle — a restarted trial has another one)
 *     AND NOT EXISTS (a batch of the trial with a smaller seq ending at or after this batch's
 *             first sample, or a larger seq starting at or before its last)
 *     AND the trial's sample count stays under its cap
 *   ON CONFLICT (session_id, seq) DO NOTHING.
 * Nothing inserted → the slow path looks again (uncached) and answers precisely: 403 token,
 * 400 trialId, 409 session/trial state, {duplicate: true} for a replayed seq, 400 for overlapping
 * times or a full trial; a changed rectangle (restarted trial, other process) is retried once.
 *
 * The INSERT commits synchronously, like every other write: a batch is answered 2xx only once its
 * WAL record is flushed, so a kill -9 of PostgreSQL keeps every acknowledged batch (the crash test,
 * tests/integration/crash-safety.test.ts). Until 2026-12-06 it committed asynchronously, and the
 * crash test lost an acknowledged batch to a postmaster kill; the group insert carries the commit
 * cost (one flush per group, not per batch): docs/benchmarks.md has the figures of both.
 * Trial caps: samples lie within [shownAt − 2 s, shownAt + viewingMs + 2 s] (checked before any
 * write) and a trial holds at most 250 samples per second of that window.
 * Two batches of one trial arriving at the same instant in two processes can both pass the
 * overlap check (read committed; within a process a group never holds two batches of one trial);
 * trial completion sorts samples by time and drops repeated times, so such a race
 * cannot corrupt fixations.
 */
import { and, eq, sql } from 'drizzle-orm';
import { sha256Hex } from '@/lib/auth/access';
import { encodeSamples, mapBatchToImage } from '@/lib/gaze/samples';
import type { SampleBatchRequest, SampleBatchResponse } from '@/lib/studies/contract';
import { FlowError } from '@/lib/studies/errors';
import type { Db } from '../client';
import { gazeSessions, images, sampleBatches, trials } from '../schema';

/** Trial cap, time: samples must lie within [shownAt − this, shownAt + viewingMs + this], ms. */
const TRIAL_WINDOW_SLACK_MS = 2000;
/** Trial cap, count: at most this many samples per second of the trial window (far above any webcam's rate). */
const MAX_TRIAL_RATE_HZ = 250;
/** Cached trial contexts (≈ 200 bytes each); the oldest go first. */
const MAX_CONTEXTS = 20_000;

/** What trials.rect holds once a trial has started. */
export interface TrialRect {
  x: number;
  y: number;
  width: number;
  height: number;
  viewportWidth: number;
  viewportHeight: number;
  shownAt: number;
}

export const notThisSession = () => new FlowError(400, 'invalid_request', 'not a trial of this session', 'trialId');

interface TrialContext {
  rect: TrialRect;
  width: number;
  height: number;
  viewingMs: number;
}

const contexts = new Map<string, TrialContext>();
const keyOf = (sessionId: string, trialId: string, tokenHash: string) => `${sessionId}:${trialId}:${tokenHash}`;

/** Drops cached contexts of a trial (restarted in this process). */
export function forgetIngestContexts(sessionId: string, trialId: string): void {
  const prefix = `${sessionId}:${trialId}:`;
  for (const key of contexts.keys()) if (key.startsWith(prefix)) contexts.delete(key);
}

type ContextRow = {
  session_status: string;
  viewing_ms: number | null;
  trial_id: string | null;
  trial_status: string | null;
  rect: TrialRect | null;
  width: number | null;
  height: number | null;
};

/** Uncached look-up with every refusal; a complete trial answers a replayed seq with duplicate. */
async function loadContext(db: Db, sessionId: string, tokenHash: string, req: SampleBatchRequest): Promise<TrialContext | 'duplicate'> {
  const [row] = (
    await db.execute<ContextRow>(sql`
      select s.status as session_status, (s.config->>'viewingMs')::int as viewing_ms, t.id as trial_id, t.status as trial_status, t.rect, i.width, i.height
      from ${gazeSessions} s
      left join ${trials} t on t.id = ${req.trialId} and t.session_id = s.id
      left join ${images} i on i.id = t.image_id
      where s.id = ${sessionId} and s.token_hash = ${tokenHash}`)
  );
  if (!row) throw new FlowError(403, 'forbidden', 'this token does not open this session');
  if (!row.trial_id) throw notThisSession();
  if (row.session_status !== 'in_progress') throw new FlowError(409, 'session_closed', `this session is ${row.session_status}`);
  if (row.trial_status === 'complete' || row.trial_status === 'skipped') {
    if (await storedSeq(db, sessionId, req.seq, req.trialId)) return 'duplicate';
    throw new FlowError(409, 'trial_complete', `this trial is ${row.trial_status}`);
  }
  if (row.trial_status !== 'shown' || !row.rect || row.width === null || row.height === null) {
    throw new FlowError(409, 'trial_not_started', 'start the trial (its image rectangle) before sending samples');
  }
  return { rect: row.rect, width: row.width, height: row.height, viewingMs: row.viewing_ms ?? 3000 };
}

function remember(key: string, ctx: TrialContext): void {
  if (contexts.size >= MAX_CONTEXTS) {
    const oldest = contexts.keys().next();
    if (!oldest.done) contexts.delete(oldest.value);
  }
  contexts.set(key, ctx);
}

function windowOf(ctx: TrialContext) {
  const from = ctx.rect.shownAt - TRIAL_WINDOW_SLACK_MS;
  const to = ctx.rect.shownAt + ctx.viewingMs + TRIAL_WINDOW_SLACK_MS;
  return { from, to, maxSamples: Math.ceil(((to - from) / 1000) * MAX_TRIAL_RATE_HZ) };
}

/** The batch's samples lie outside the trial's time window: the refusal, else null. */
function outsideWindow(req: SampleBatchRequest, ctx: TrialContext): FlowError | null {
  const first = req.samples[0]?.[0] as number;
  const last = req.samples.at(-1)?.[0] as number;
  const { from, to } = windowOf(ctx);
  if (first < from) return new FlowError(400, 'invalid_request', `sample time ${first} is before this trial (shown at ${ctx.rect.shownAt})`, 'samples.0.0');
  if (last <= to) return null;
  const i = req.samples.findIndex((x) => x[0] > to);
  return new FlowError(400, 'invalid_request', `sample time ${last} is after the end of this trial (${to})`, `samples.${i}.0`);
}

/** One batch's row and the values its INSERT re-checks (see the module comment). */
export interface BatchRow {
  sessionId: string;
  seq: number;
  trialId: string;
  count: number;
  first: number;
  last: number;
  samples: Uint8Array;
  tokenHash: string;
  /** The cached rectangle, as JSON: a restarted trial has another one. */
  rect: string;
  maxSamples: number;
}

/**
 * The insert of one or more batches, each row re-checked on its own, with numbered array
 * parameters so that on PostgreSQL it runs as one named prepared statement whatever the number of
 * rows (postgres.js describes an unprepared parameterised query on every call: an extra round
 * trip). $1 sessions, $2 seqs, $3 trials, $4 counts, $5 first times, $6 last times, $7 samples
 * (base64), $8 token hashes, $9 rectangles (jsonb text), $10 the trials' sample caps. Returns the
 * (session, seq) of the rows stored.
 */
const INSERT_BATCHES = `
  insert into sample_batches (session_id, seq, trial_id, sample_count, t_first_ms, t_last_ms, samples)
  select v.session_id, v.seq, v.trial_id, v.n, v.t_first, v.t_last, decode(v.samples, 'base64')
  from unnest($1::uuid[], $2::int[], $3::uuid[], $4::int[], $5::float8[], $6::float8[], $7::text[], $8::text[], $9::text[], $10::int[])
    as v(session_id, seq, trial_id, n, t_first, t_last, samples, token_hash, rect, max_samples)
  where exists (
    select 1 from trials t join gaze_sessions s on s.id = t.session_id
    where t.id = v.trial_id and t.status = 'shown' and t.rect = v.rect::jsonb
      and s.id = v.session_id and s.token_hash = v.token_hash and s.status = 'in_progress')
  and not exists (
    select 1 from sample_batches b
    where b.trial_id = v.trial_id
      and ((b.seq < v.seq and b.t_last_ms >= v.t_first) or (b.seq > v.seq and b.t_first_ms <= v.t_last)))
  and (select coalesce(sum(c.sample_count), 0) from sample_batches c where c.trial_id = v.trial_id) + v.n <= v.max_samples
  on conflict (session_id, seq) do nothing
  returning session_id, seq`;

/** Runs `text` as a prepared statement on the postgres.js client under drizzle. */
async function preparedRows(db: Db, text: string, params: unknown[]): Promise<unknown[]> {
  return (db as unknown as { $client: import('postgres').Sql }).$client.unsafe(text, params as never[], { prepare: true });
}

/** (session, seq) as PostgreSQL returns it: uuids in lower case. */
const rowKey = (sessionId: string, seq: number) => `${sessionId.toLowerCase()}:${seq}`;

/** Inserts rows in one statement; the keys (rowKey) of those stored. */
async function insertBatchRows(db: Db, rows: readonly BatchRow[]): Promise<Set<string>> {
  const returned = await preparedRows(db, INSERT_BATCHES, [
    rows.map((r) => r.sessionId), rows.map((r) => r.seq), rows.map((r) => r.trialId), rows.map((r) => r.count),
    rows.map((r) => r.first), rows.map((r) => r.last), rows.map((r) => Buffer.from(r.samples.buffer, r.samples.byteOffset, r.samples.byteLength).toString('base64')),
    rows.map((r) => r.tokenHash), rows.map((r) => r.rect), rows.map((r) => r.maxSamples),
  ]);
  return new Set((returned as { session_id: string; seq: number }[]).map((r) => rowKey(r.session_id, Number(r.seq))));
}

interface Pending {
  row: BatchRow;
  resolve: (stored: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Group insert. Batches that arrive while INSERT statements are in flight wait and go together in
 * the next one, so under load one statement (one round trip, one executor start, one commit)
 * carries many batches, and a backlog after a stall drains faster; a lone batch goes at once, alone.
 * A group never holds two batches of one trial (nor one (session, seq) twice): those go in a later
 * statement, so each batch's overlap and cap checks see the ones before it. A failed group
 * statement is retried row by row, so that one row's failure is that batch's alone.
 */
export class BatchInserter {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  /** Group statements run so far (not counting a failed group's row-by-row retries). */
  statements = 0;

  constructor(
    private readonly db: Db,
    /** Statements in flight at once. */
    private readonly maxInFlight: number,
    /** Rows per statement, at most. */
    private readonly maxGroup = 128,
  ) {}

  /** Resolves true when the batch was stored, false when a check failed or its seq was there. */
  insert(row: BatchRow): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const group = this.takeGroup();
      this.inFlight++;
      this.statements++;
      void this.run(group).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private takeGroup(): Pending[] {
    const group: Pending[] = [];
    const trials = new Set<string>();
    const keys = new Set<string>();
    let kept = 0;
    for (let i = 0; i < this.queue.length; i++) {
      const p = this.queue[i] as Pending;
      const key = rowKey(p.row.sessionId, p.row.seq);
      const trial = p.row.trialId.toLowerCase();
      if (group.length < this.maxGroup && !trials.has(trial) && !keys.has(key)) {
        group.push(p);
        trials.add(trial);
        keys.add(key);
      } else this.queue[kept++] = p;
    }
    this.queue.length = kept;
    return group;
  }

  private async run(group: Pending[]): Promise<void> {
    try {
      const stored = await insertBatchRows(this.db, group.map((p) => p.row));
      for (const p of group) p.resolve(stored.has(rowKey(p.row.sessionId, p.row.seq)));
    } catch (err) {
      if (group.length === 1) {
        (group[0] as Pending).reject(err);
        return;
      }
      for (const p of group) {
        try {
          p.resolve((await insertBatchRows(this.db, [p.row])).size === 1);
        } catch (one) {
          p.reject(one);
        }
      }
    }
  }
}

/**
 * One inserter per database. Statements in flight at once: two, so one runs while the next group gathers (bench:ingest, 2026-12-05: one and
 * two measured alike within the run-to-run spread; docs/benchmarks.md).
 */
const inserters = new WeakMap<Db, BatchInserter>();

function inserterFor(db: Db): BatchInserter {
  let inserter = inserters.get(db);
  if (!inserter) {
    inserter = new BatchInserter(db, 2);
    inserters.set(db, inserter);
  }
  return inserter;
}

/** The batch through the group insert; true when it was stored. The caller has checked the window. */
function tryInsert(db: Db, sessionId: string, tokenHash: string, req: SampleBatchRequest, ctx: TrialContext): Promise<boolean> {
  const stored = mapBatchToImage(req.samples, ctx.rect, ctx);
  return inserterFor(db).insert({
    sessionId, seq: req.seq, trialId: req.trialId, count: stored.length,
    first: req.samples[0]?.[0] as number, last: req.samples.at(-1)?.[0] as number,
    samples: encodeSamples(stored), tokenHash, rect: JSON.stringify(ctx.rect), maxSamples: windowOf(ctx).maxSamples,
  });
}

export async function ingestSamples(db: Db, sessionId: string, token: string, req: SampleBatchRequest): Promise<SampleBatchResponse> {
  const tokenHash = sha256Hex(token);
  const key = keyOf(sessionId, req.trialId, tokenHash);
  const cached = contexts.get(key);
  // A cached context that the batch does not fit (or that the INSERT finds stale) is looked up again.
  if (cached && !outsideWindow(req, cached) && (await tryInsert(db, sessionId, tokenHash, req, cached))) return { stored: req.samples.length };
  contexts.delete(key);
  const ctx = await loadContext(db, sessionId, tokenHash, req);
  if (ctx === 'duplicate') return { duplicate: true };
  remember(key, ctx);
  const refusal = outsideWindow(req, ctx);
  if (refusal) throw refusal;
  const retry = !cached || JSON.stringify(cached.rect) !== JSON.stringify(ctx.rect) || outsideWindow(req, cached) !== null;
  if (retry && (await tryInsert(db, sessionId, tokenHash, req, ctx))) return { stored: req.samples.length };
  if (await storedSeq(db, sessionId, req.seq, req.trialId)) return { duplicate: true };
  const [held] = await db
    .select({ n: sql<number>`coalesce(sum(${sampleBatches.sampleCount}), 0)`.mapWith(Number) })
    .from(sampleBatches)
    .where(eq(sampleBatches.trialId, req.trialId));
  const { maxSamples } = windowOf(ctx);
  if ((held?.n ?? 0) + req.samples.length > maxSamples) {
    throw new FlowError(400, 'invalid_request', `a trial holds at most ${maxSamples} samples (${MAX_TRIAL_RATE_HZ} Hz over its window)`, 'samples');
  }
  throw new FlowError(400, 'invalid_request', 'time goes backwards: this batch overlaps an earlier or later batch of the trial', 'samples.0.0');
}

/** True when (session, seq) is stored for this trial; a seq reused for another trial is a 409. */
async function storedSeq(db: Db, sessionId: string, seq: number, trialId: string): Promise<boolean> {
  const [row] = await db
    .select({ trialId: sampleBatches.trialId })
    .from(sampleBatches)
    .where(and(eq(sampleBatches.sessionId, sessionId), eq(sampleBatches.seq, seq)));
  if (!row) return false;
  if (row.trialId !== trialId) throw new FlowError(409, 'seq_conflict', `seq ${seq} was already used for another trial`, 'seq');
  return true;
}
