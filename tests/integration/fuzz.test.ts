/**
 * The fuzz suite (issue 17): malformed requests to EVERY route of the OpenAPI registry
 * (lib/api/index.ts) as every kind of caller — anonymous, a participant (session token), a
 * researcher's cookie session (with CSRF) and a write API token — through the route handlers on a
 * real database. Inputs come from fast-check with a fixed seed (printed; FUZZ_SEED=<n> replays
 * a run, FUZZ_RUNS=<n> sets the requests per route and caller): wrong types, missing and extra
 * fields, huge and tiny numbers, NaN/Infinity strings, NUL and other controls, lone surrogates,
 * path traversal and SQL-shaped strings, deep nesting, long arrays and strings, wrong content
 * types, truncated and non-UTF-8 bodies, multipart bodies whose boundary does not match.
 *
 * Asserted: no answer is a 5xx, every 4xx has the `{error, detail}` body, and a batch of requests
 * that were all refused changed no row: a checksum of every table before and after,
 * except rate_limits, whose counters a refused sign-in is meant to raise. Paths that are not valid
 * percent-encoding never reach a handler (lib/server/http-server.ts answers 400 first: raw-path.test.ts
 * and e2e/platform.spec.ts), so here path parameters are hostile decoded strings.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '@/db/client';
import { createDataset, insertImages } from '@/db/queries/datasets';
import { recomputeDensityMap } from '@/db/queries/ground-truth';
import { createModel } from '@/db/queries/models';
import { createRun, insertSaliencyMaps } from '@/db/queries/runs';
import { createStudy } from '@/db/queries/studies';
import { fixations, gazeSessions } from '@/db/schema';
import { API_ROUTES } from '@/lib/api';
import type { RouteSpec } from '@/lib/http/openapi';
import { encodePng } from '@/lib/io/png';
import { stopQueue } from '@/lib/jobs/queue';
import { putBlob } from '@/lib/storage/blobs';
import { driver, freshDb, tempDir } from './helpers';
import { call, makeToken, makeUser, request, type Caller, type TestUser } from './http-helpers';
import { startSession as startParticipantSession } from './participant-helpers';
import { tableChecksums } from './table-checksums';

const root = path.resolve(__dirname, '../..');
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
/** Requests per route and caller: 56 routes × 4 callers × 45 = 10,080 per run. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 45);
const CALLERS = ['anonymous', 'participant', 'cookie', 'token'] as const;
type CallerKind = (typeof CALLERS)[number];

// ---- hostile values -------------------------------------------------------------------------

const DEEP_ARRAY = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
const HOSTILE_STRINGS = [
  '', ' ', 'NaN', 'Infinity', '-Infinity', '1e309', '-0', '0x1F', 'null', 'undefined', 'true', '[]', '{}',
  '../../../../etc/passwd', '..\\..\\windows\\win.ini', '/etc/passwd', 'C:\\x', '....//....//x',
  "' OR '1'='1", "1; DROP TABLE users; --", "x' UNION SELECT password_hash FROM users --", '$1', '%s%s%s%n',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '\u0000', 'a\u0000b', '\u001b[31mred', '\u0007\u0008',
  '\ud800', '\udfff', '\uffff', '\ufeff', '\u202e', '%00', '%ZZ', '%C0%AE%C0%AE', 'x'.repeat(70_000), '😀'.repeat(2000),
  '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '2026-13-45T99:99:99Z', '-1', '999999999999999999999',
];
const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-1, 0, 1, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 5e-324, 0.5, 1e-7),
);
const { value: hostileValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'a\u0000')), tie('value'), { maxKeys: 4 }),
    fc.constant(new Array(20_000).fill(7)),
  ),
}));

/** The top-level keys a JSON body schema declares (to build bodies that look almost right). */
function bodyKeys(spec: RouteSpec): string[] {
  const body = spec.body;
  if (!body) return [];
  const schema = body.kind === 'json' ? body.schema : body.kind === 'multipart' ? body.fields : undefined;
  const shape = (schema as unknown as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

function queryKeys(spec: RouteSpec): string[] {
  return spec.query ? Object.keys(spec.query.shape) : [];
}

interface Fuzzed {
  readonly params: Record<string, string>;
  readonly query: [string, string][];
  readonly body: { kind: 'none' } | { kind: 'json'; value: unknown; contentType: string } | { kind: 'raw'; bytes: Uint8Array; contentType: string };
}

const CONTENT_TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=zzz', 'multipart/form-data', 'application/zip', 'application/octet-stream', 'text/csv', 'image/png', '', 'application/json; charset=utf-16', 'application/json\u0000'];

function rawBody(keys: readonly string[]): fc.Arbitrary<{ bytes: Uint8Array; contentType: string }> {
  const enc = new TextEncoder();
  return fc.oneof(
    // Truncated JSON of an almost-right object.
    fc.tuple(fc.dictionary(fc.constantFrom(...(keys.length ? keys : ['x'])), hostileValue, { maxKeys: 4 }), fc.nat()).map(([o, cut]) => {
      const text = JSON.stringify(o);
      return { bytes: enc.encode(text.slice(0, cut % Math.max(1, text.length))), contentType: 'application/json' };
    }),
    // Not UTF-8 at all.
    fc.uint8Array({ maxLength: 300 }).map((b) => ({ bytes: new Uint8Array([0x7b, 0x22, 0xc0, 0xae, 0xff, ...b]), contentType: 'application/json' })),
    fc.constant({ bytes: enc.encode(DEEP_ARRAY), contentType: 'application/json' }),
    fc.constant({ bytes: enc.encode(`{"a":${'{"a":'.repeat(3000)}1${'}'.repeat(3001)}`), contentType: 'application/json' }),
    // Multipart whose boundary does not match its header, truncated parts, hostile file names.
    fc.tuple(fc.constantFrom('aaa', 'zzz', ''), fc.constantFrom('../x.bin', '/etc/passwd', 'a\u0000.png', 'ok.png', 'model.json', 'x.zip'), fc.uint8Array({ maxLength: 200 }), fc.boolean()).map(([boundary, filename, data, truncate]) => {
      const text = `--zzz\r\nContent-Disposition: form-data; name="files"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
      const bytes = new Uint8Array([...enc.encode(text), ...data, ...(truncate ? [] : enc.encode('\r\n--zzz--\r\n'))]);
      return { bytes, contentType: `multipart/form-data; boundary=${boundary}` };
    }),
    fc.tuple(fc.uint8Array({ maxLength: 400 }), fc.constantFrom(...CONTENT_TYPES)).map(([bytes, contentType]) => ({ bytes, contentType })),
  );
}

function fuzzed(spec: RouteSpec, validParams: Record<string, string[]>): fc.Arbitrary<Fuzzed> {
  const names = [...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  const param = (name: string) => fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...(validParams[name] ?? ['x'])) }, { weight: 1, arbitrary: hostileString });
  const params = fc.tuple(...names.map(param)).map((values) => Object.fromEntries(names.map((n, i) => [n, values[i] as string])));
  const keys = bodyKeys(spec);
  const qkeys = queryKeys(spec);
  const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...(qkeys.length ? qkeys : ['q'])), fc.string({ maxLength: 6 })), hostileString.map((s) => s.slice(0, 2000))), { maxLength: 4 });
  const almostRight = fc.dictionary(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...(keys.length ? keys : ['x'])) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), hostileValue, { maxKeys: keys.length + 2 });
  const body: fc.Arbitrary<Fuzzed['body']> = spec.method === 'GET'
    ? fc.constant({ kind: 'none' as const })
    : spec.method === 'DELETE'
    ? fc.oneof({ weight: 4, arbitrary: fc.constant({ kind: 'none' as const }) }, { weight: 1, arbitrary: rawBody(keys).map((b) => ({ kind: 'raw' as const, ...b })) })
    : fc.oneof(
        { weight: 4, arbitrary: fc.tuple(almostRight, fc.constantFrom('application/json', 'application/json', 'text/plain')).map(([value, contentType]) => ({ kind: 'json' as const, value, contentType })) },
        { weight: 1, arbitrary: hostileValue.map((value) => ({ kind: 'json' as const, value, contentType: 'application/json' })) },
        { weight: 2, arbitrary: rawBody(keys).map((b) => ({ kind: 'raw' as const, ...b })) },
        { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
      );
  return fc.record({ params, query, body });
}

// ---- the suite ------------------------------------------------------------------------------

describe(`fuzz: every route × every caller on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  let owner: TestUser;
  let token = '';
  let participantToken = '';
  const valid: Record<string, string[]> = {};
  const histogram = new Map<number, number>();
  let requests = 0;
  let compared = 0;

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    owner = await makeUser(handle.db);
    token = await makeToken(handle.db, owner.id, ['read', 'write']);
    const dataset = await createDataset(handle.db, { slug: 'fuzz-set', name: 'Fuzz set', description: '', visibility: 'public', ownerId: owner.id });
    if (!dataset) throw new Error('fixture dataset');
    const rows = [];
    for (let i = 0; i < 3; i++) {
      const png = encodePng({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 4).fill(30 + 40 * i) });
      rows.push({ name: `img-${i}.png`, classLabel: i % 2 ? 'b' : 'a', width: 8, height: 8, sha256: await putBlob(dataDir, png), mimeType: 'image/png', bytes: png.length });
    }
    const images = await insertImages(handle.db, dataset.id, rows);
    const imageIds = images.map((r) => r.id);
    const [sim] = await handle.db.insert(gazeSessions).values({ datasetId: dataset.id, modality: 'simulated', observerLabel: 'sim-1', pixelsPerDegree: 2, status: 'accepted' }).returning();
    await handle.db.insert(fixations).values({ sessionId: sim?.id ?? '', imageId: imageIds[0] as string, x: 2, y: 2, startMs: 0, durationMs: 200 });
    await recomputeDensityMap(handle.db, imageIds[0] as string, 'simulated');
    const bundleDir = path.join(root, 'public/models/demo-shapes');
    const files = [];
    for (const name of ['model.json', 'weights.bin']) {
      const bytes = fs.readFileSync(path.join(bundleDir, name));
      files.push({ name, sha256: await putBlob(dataDir, bytes), bytes: bytes.length });
    }
    const modelId = randomUUID();
    await createModel(handle.db, {
      id: modelId, slug: 'fuzz-cnn', name: 'Fuzz CNN', architecture: '', trainingData: '', license: '', format: 'layers', url: `/api/v1/models/${modelId}/files/model.json`,
      labels: ['circle', 'square', 'triangle', 'star', 'cross'], preprocessing: 'unit', inputWidth: 224, inputHeight: 224, targetLayer: 'last_conv',
      ownerId: owner.id, visibility: 'public', sha256: 'f'.repeat(64), bytes: 1, files,
    });
    const run = await createRun(handle.db, { datasetId: dataset.id, modelId, explainer: 'gradcam', params: {}, target: {}, name: 'fuzz', ownerId: owner.id, visibility: 'public' });
    await insertSaliencyMaps(handle.db, run.id, [{ imageId: imageIds[0] as string, grid: { width: 8, height: 8, data: new Float32Array(64).fill(0.5) } }]);
    const study = await createStudy(handle.db, { slug: 'fuzz-study', datasetId: dataset.id, ownerId: owner.id, name: 'fuzz', status: 'open', consentText: 'ok', config: { imagesPerParticipant: 2, observersPerImage: 1000, driftEvery: 0, modality: 'both' } });
    const participant = await startParticipantSession('fuzz-study');
    participantToken = participant.token;
    Object.assign(valid, {
      id: [dataset.id, dataset.slug, imageIds[0], modelId, 'fuzz-cnn', run.id, study.id, 'fuzz-study', participant.sessionId],
      file: ['image.png', 'fixations.csv', 'density.npy', 'density.png', 'scores.csv', `${imageIds[0]}.npy`],
      name: ['model.json', 'weights.bin'],
      trialId: participant.trials.map((t) => t.id),
      sessionId: [participant.sessionId],
    });
  });

  afterAll(async () => {
    await stopQueue();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    const statuses = [...histogram.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(', ');
    console.log(`fuzz (${driver}): seed ${SEED}, ${requests} requests over ${API_ROUTES.length} routes × ${CALLERS.length} callers; statuses {${statuses}}; ${compared} refused-only batches checked unchanged`);
  });

  function callerOf(kind: CallerKind): { caller: Caller; headers: Record<string, string> } {
    switch (kind) {
      case 'anonymous': return { caller: { kind: 'anonymous' }, headers: {} };
      case 'participant': return { caller: { kind: 'anonymous' }, headers: { 'x-session-token': participantToken } };
      case 'cookie': return { caller: { kind: 'cookie', user: owner }, headers: {} };
      case 'token': return { caller: { kind: 'bearer', token }, headers: {} };
    }
  }

  const cases = API_ROUTES.flatMap((spec) => CALLERS.map((kind) => [`${spec.method} ${spec.path} as ${kind}`, spec, kind] as const));

  it.each(cases)('%s', async (_name, spec, kind) => {
    const file = path.join(root, 'app', spec.path.replace(/\{(\w+)\}/g, '[$1]'), 'route.ts');
    const handler = ((await import(file)) as Record<string, unknown>)[spec.method];
    expect(handler, `${file} exports ${spec.method}`).toBeTypeOf('function');
    const { caller, headers } = callerOf(kind);
    const before = await tableChecksums(handle.db);
    let mutated = false;
    await fc.assert(
      fc.asyncProperty(fuzzed(spec, valid), fc.nat(250), async (input, ipByte) => {
        const query = new URLSearchParams(input.query).toString();
        const url = spec.path.replace(/\{(\w+)\}/g, (_m, k: string) => encodeURIComponent(input.params[k] ?? '')) + (query ? `?${query}` : '');
        const b = input.body;
        const req = request(url, {
          method: spec.method,
          caller,
          ...(b.kind === 'json' ? { body: JSON.stringify(b.value) } : b.kind === 'raw' ? { body: b.bytes as unknown as BodyInit } : {}),
          headers: { ...headers, ...(b.kind !== 'none' ? { 'content-type': b.contentType } : {}) },
          ip: `198.18.${ipByte}.${requests % 250}`,
        });
        const res = await call(handler, req, input.params);
        requests += 1;
        histogram.set(res.status, (histogram.get(res.status) ?? 0) + 1);
        // A read that succeeds may write too (a leaderboard snapshot): only refused batches are compared.
        if (res.status < 400) mutated = true;
        const text = await res.text();
        if (res.status >= 500) throw new Error(`${res.status}: ${text.slice(0, 500)}`);
        if (res.status >= 400) {
          const body = JSON.parse(text) as Record<string, unknown>;
          if (typeof body.error !== 'string' || typeof body.detail !== 'string') throw new Error(`error body without error/detail: ${text.slice(0, 300)}`);
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: false, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: false },
    );
    // Every request of this batch was refused or only read: not one row may have changed.
    if (!mutated) {
      expect(await tableChecksums(handle.db)).toEqual(before);
      compared += 1;
    }
  });
});
