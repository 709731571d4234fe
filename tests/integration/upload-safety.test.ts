/**
 * Upload safety (issue 17): hostile model bundles, zips and images sent to the two upload routes
 * (POST /api/v1/models/uploads, POST /api/v1/datasets/{id}/images) through their handlers on a
 * real database. Every case must be refused with its stated 4xx and a `{error, field, detail}`
 * body naming the field and the reason, and must leave
 * - every table unchanged (checksums before and after, as in fuzz.test.ts);
 * - DATA_DIR as it was: no new blob, nothing left in tmp/ or uploads/ (the staging area);
 * - nothing new outside DATA_DIR: its parent folder, the process's temp folder (TMPDIR points at
 *   a private folder for this file, so the check cannot be disturbed by other processes), and
 *   the paths the attack names (/tmp/abs.bin, /tmp/evil.png, …) — /etc/passwd unchanged;
 * - the process's peak RSS (VmHWM, reset before each case through /proc/self/clear_refs)
 *   less than MAX_RSS_GROWTH_MIB above its RSS before the case: a 100000×100000 PNG decoded would
 *   need 40 GB, the zip bombs inflate to gigabytes.
 * A summary (case → status, field, peak RSS growth) is printed at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as createDataset } from '@/app/api/v1/datasets/route';
import { POST as uploadImages } from '@/app/api/v1/datasets/[id]/images/route';
import { POST as stageModel } from '@/app/api/v1/models/uploads/route';
import type { DbHandle } from '@/db/client';
import { encodePng } from '@/lib/io/png';
import { makeZip, type ZipEntrySpec } from '@/lib/io/zip-writer.test-util';
import { driver, freshDb } from './helpers';
import { asCookie, call, formData, makeUser, request, type TestUser } from './http-helpers';
import { tableChecksums } from './table-checksums';

const root = path.resolve(__dirname, '../..');
const bundleDir = path.join(root, 'public/models/demo-shapes');
const readBundle = (name: string) => new Uint8Array(fs.readFileSync(path.join(bundleDir, name)));
const MiB = 1024 * 1024;
/** Bound on the peak RSS above the RSS before a case (measured growth: see docs/security.md). */
const MAX_RSS_GROWTH_MIB = 64;
const enc = new TextEncoder();

// ---- hostile files ------------------------------------------------------------------------------

function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A valid-looking PNG (correct CRCs) whose IHDR declares width×height, with one tiny IDAT. */
function declaredPng(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no filter method, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.alloc(64))), pngChunk('IEND', new Uint8Array(0))]));
}

function png(width: number, height: number, shade = 90): Uint8Array {
  return encodePng({ width, height, data: new Uint8Array(width * height * 4).fill(shade) });
}

/** An 8×8 JPEG whose SOF header is rewritten to declare width×height (≤ 65535). */
async function declaredJpeg(width: number, height: number): Promise<Uint8Array> {
  const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 9, g: 99, b: 199 } } }).jpeg().toBuffer();
  for (let i = 2; i < jpeg.length - 9; i++) {
    if (jpeg[i] === 0xff && (jpeg[i + 1] === 0xc0 || jpeg[i + 1] === 0xc2)) {
      jpeg.writeUInt16BE(height, i + 5);
      jpeg.writeUInt16BE(width, i + 7);
      return new Uint8Array(jpeg);
    }
  }
  throw new Error('declaredJpeg: no SOF marker');
}

/** An 8×8 lossy WebP whose VP8 frame header is rewritten to declare width×height (≤ 16383). */
async function declaredWebp(width: number, height: number): Promise<Uint8Array> {
  const webp = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 9, g: 99, b: 199 } } }).webp().toBuffer();
  const start = webp.indexOf(Buffer.from([0x9d, 0x01, 0x2a])); // VP8 key frame start code
  if (start < 0) throw new Error('declaredWebp: no VP8 key frame');
  webp.writeUInt16LE(width, start + 3);
  webp.writeUInt16LE(height, start + 5);
  return new Uint8Array(webp);
}

async function jpeg(width: number, height: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 60 } } }).jpeg().toBuffer());
}

const zip = (entries: readonly ZipEntrySpec[]) => new Uint8Array(makeZip(entries));

/**
 * Overlapping-entry ("quine-like", Fifield 2019) bomb: one local entry of `entryBytes` zeros and
 * `count` central-directory records that all point at it under different names. Each record's
 * ratio is under the per-entry floor; together they inflate to count × entryBytes.
 */
function overlappingZip(count: number, entryBytes: number): Uint8Array {
  const one = makeZip([{ name: 'o_0.png', data: new Uint8Array(entryBytes) }]);
  const cdOffset = one.readUInt32LE(one.length - 6);
  const local = one.subarray(0, cdOffset);
  const central = one.subarray(cdOffset, one.length - 22);
  const records: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const name = Buffer.from(`o_${i}.png`);
    const record = Buffer.from(central.subarray(0, 46));
    record.writeUInt16LE(name.length, 28);
    records.push(record, name);
  }
  const cd = Buffer.concat(records);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(local.length, 16);
  return new Uint8Array(Buffer.concat([local, cd, end]));
}

function modelJsonWith(paths: string[]): Uint8Array {
  const json = JSON.parse(fs.readFileSync(path.join(bundleDir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  const group = json.weightsManifest[0];
  if (!group) throw new Error('demo model.json has no weight group');
  group.paths = paths;
  return enc.encode(JSON.stringify(json));
}

// ---- the cases ----------------------------------------------------------------------------------

type Body = { body: BodyInit; headers?: Record<string, string>; query?: string };
interface Case {
  name: string;
  route: 'model' | 'dataset';
  body: () => Body | Promise<Body>;
  status: number;
  field: string;
  detail: RegExp;
}

const rawZip = (bytes: Uint8Array, query = ''): Body => ({ body: bytes as unknown as BodyInit, headers: { 'content-type': 'application/zip' }, query });
const form = (files: { name: string; bytes: Uint8Array }[]): Body => ({ body: formData(files) });
const bundle = (modelJson: Uint8Array, extra: { name: string; bytes: Uint8Array }[] = []): Body =>
  form([{ name: 'model.json', bytes: modelJson }, { name: 'weights.bin', bytes: readBundle('weights.bin') }, ...extra]);
const weights = readBundle('weights.bin');

const shardPath = (p: string): Case => ({
  name: `model.json shard path ${JSON.stringify(p)}`, route: 'model',
  body: () => bundle(modelJsonWith([p]), [{ name: 'x.bin', bytes: weights }]),
  status: 422, field: 'model.json', detail: /names the shard .* which is not a plain file name/,
});
const bundleFileName = (name: string, reason: RegExp): Case => ({
  name: `model upload file name ${JSON.stringify(name)}`, route: 'model',
  body: () => form([{ name: 'model.json', bytes: readBundle('model.json') }, { name, bytes: weights }]),
  status: 400, field: 'files', detail: reason,
});
const slip = (name: string, reason: RegExp, extra: Partial<ZipEntrySpec> = {}): Case => ({
  name: `zip entry ${JSON.stringify(name)}${extra.unixMode ? ' (symlink)' : ''}`, route: 'dataset',
  body: () => rawZip(zip([{ name: 'ok_1.png', data: png(4, 4) }, { name, data: png(4, 4), ...extra }])),
  status: 422, field: 'files', detail: reason,
});
const image = (what: string, name: string, bytes: () => Uint8Array | Promise<Uint8Array>, detail: RegExp, inZip = false): Case => ({
  name: `${what}${inZip ? ' inside a zip' : ''}`, route: 'dataset',
  body: async () => (inZip ? rawZip(zip([{ name, data: await bytes() }])) : form([{ name, bytes: await bytes() }])),
  status: 422, field: 'files', detail,
});

const DEEP = '../../../../';
const TOO_MANY_PIXELS = /pixels, more than the limit of 40000000/;
const CASES: Case[] = [
  // Model bundles: shard paths in model.json, file names in the multipart body, content.
  ...['../x.bin', '/etc/passwd', '/tmp/abs.bin', 'sub/../../x.bin', '..\\x.bin', '%2e%2e%2fx.bin', `${DEEP}x.bin`].map(shardPath),
  bundleFileName(`${DEEP}x.bin`, /unsafe file name .*parent directory/),
  bundleFileName('../model.json', /unsafe file name .*parent directory/),
  bundleFileName('/tmp/abs.bin', /unsafe file name .*absolute path/),
  bundleFileName('..\\..\\x.bin', /unsafe file name .*parent directory/),
  bundleFileName('C:\\evil.bin', /unsafe file name .*absolute path/),
  { name: 'model.json that is not JSON (HTML)', route: 'model', body: () => bundle(enc.encode('<html><script>window.__xss=1</script></html>')), status: 422, field: 'model.json', detail: /model.json is not valid JSON/ },
  { name: 'model.json that is JSON but no model', route: 'model', body: () => bundle(enc.encode('[1,2,3]')), status: 422, field: 'model.json', detail: /no weightsManifest array/ },
  { name: 'weights.bin 4 bytes short of the manifest', route: 'model', body: () => form([{ name: 'model.json', bytes: readBundle('model.json') }, { name: 'weights.bin', bytes: weights.subarray(0, weights.length - 4) }]), status: 422, field: 'files', detail: new RegExp(`shards hold ${weights.length - 4} bytes, model.json describes ${weights.length}`) },
  { name: 'weights.bin 4 bytes over the manifest', route: 'model', body: () => form([{ name: 'model.json', bytes: readBundle('model.json') }, { name: 'weights.bin', bytes: new Uint8Array([...weights, 1, 2, 3, 4]) }]), status: 422, field: 'files', detail: new RegExp(`shards hold ${weights.length + 4} bytes, model.json describes ${weights.length}`) },
  // Dataset zips: zip slip, links, bombs, nesting.
  slip(`${DEEP}evil.png`, /unsafe path/),
  slip('/tmp/evil.png', /unsafe path \(absolute path\)/),
  slip('C:\\evil.png', /unsafe path/),
  slip('C:/evil.png', /unsafe path \(absolute path\)/),
  slip('link_1.png', /symbolic links are not accepted/, { data: enc.encode(`${DEEP}evil.png`), unixMode: 0o120777 }),
  { name: 'zip bomb: one 24 MiB entry of zeros (~1000:1)', route: 'dataset', body: () => rawZip(zip([{ name: 'bomb_1.png', data: new Uint8Array(24 * MiB) }])), status: 413, field: 'files', detail: /compresses \d+:1, more than the limit of 100:1/ },
  { name: 'zip bomb: entry declares 1000 bytes, inflates to 6 MiB', route: 'dataset', body: () => rawZip(zip([{ name: 'liar_1.png', data: new Uint8Array(6 * MiB), declaredSize: 1000 }])), status: 413, field: 'files', detail: /too many bytes in the stream|inflates past/ },
  { name: 'zip bomb: 20001 entries', route: 'dataset', body: () => rawZip(zip(Array.from({ length: 20_001 }, (_, i) => ({ name: `e${i}.png`, data: new Uint8Array(0), method: 'store' as const })))), status: 413, field: 'files', detail: /20001 entries, more than the limit of 20000/ },
  { name: 'zip bomb: 200 distinct 1 MiB entries of zeros (each under the ratio floor)', route: 'dataset', body: () => rawZip(zip(Array.from({ length: 200 }, (_, i) => ({ name: `z_${i}.png`, data: new Uint8Array(MiB) })))), status: 413, field: 'files', detail: /the archive inflates \d+:1 .*more than the limit of 100:1/ },
  { name: 'zip bomb: 200 overlapping records of one 1 MiB entry (quine-like)', route: 'dataset', body: () => rawZip(overlappingZip(200, MiB)), status: 422, field: 'files', detail: /overlaps? another entry/ },
  { name: 'zip inside a zip', route: 'dataset', body: () => rawZip(zip([{ name: 'inner.zip', data: zip([{ name: 'a_1.png', data: png(4, 4) }]) }])), status: 422, field: 'files', detail: /inner.zip: not a supported image/ },
  // Decompression-bomb images, direct and in a zip.
  image('PNG declaring 100000×100000', 'huge_1.png', () => declaredPng(100_000, 100_000), TOO_MANY_PIXELS),
  image('PNG declaring 100000×100000', 'huge_1.png', () => declaredPng(100_000, 100_000), TOO_MANY_PIXELS, true),
  image('JPEG declaring 65000×65000', 'huge_1.jpg', () => declaredJpeg(65_000, 65_000), TOO_MANY_PIXELS),
  image('JPEG declaring 65000×65000', 'huge_1.jpg', () => declaredJpeg(65_000, 65_000), TOO_MANY_PIXELS, true),
  image('WebP declaring 16383×16383', 'huge_1.webp', () => declaredWebp(16_383, 16_383), TOO_MANY_PIXELS),
  // Content that does not match its name.
  image('a .png that is a JPEG', 'photo_1.png', () => jpeg(8, 8), /photo_1.png: a JPEG image named as PNG/),
  image('a .jpg that is a PNG', 'photo_2.jpg', () => png(8, 8), /photo_2.jpg: a PNG image named as JPEG/),
  image('a .png that is a JPEG', 'photo_3.png', () => jpeg(8, 8), /photo_3.png: a JPEG image named as PNG/, true),
  image('a .png that is text', 'text_1.png', () => enc.encode('just some words\n'), /text_1.png: not a supported image/),
  image('HTML posing as a PNG', 'page_1.png', () => enc.encode('<!doctype html><img src=x onerror="window.__xss=1">'), /page_1.png: not a supported image/),
  image('SVG posing as a PNG', 'vector_1.png', () => enc.encode('<svg xmlns="http://www.w3.org/2000/svg" onload="window.__xss=1"/>'), /vector_1.png: not a supported image/),
  { name: 'dataset upload file name "../../../../evil.png"', route: 'dataset', body: () => form([{ name: `${DEEP}evil.png`, bytes: png(4, 4) }]), status: 400, field: 'files', detail: /unsafe file name .*parent directory/ },
  { name: 'dataset upload file name "/tmp/evil.png"', route: 'dataset', body: () => form([{ name: '/tmp/evil.png', bytes: png(4, 4) }]), status: 400, field: 'files', detail: /unsafe file name .*absolute path/ },
];

// ---- what must not change -------------------------------------------------------------------------

/** Every file and folder under `dir` with its size (folders: -1), but `skip` and what is in it. */
function tree(dir: string, skip?: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(e.parentPath, e.name);
    if (skip !== undefined && (full === skip || full.startsWith(`${skip}${path.sep}`))) continue;
    out[path.relative(dir, full)] = e.isDirectory() ? -1 : fs.lstatSync(full).size;
  }
  return out;
}

function filesOnly(t: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(t).filter(([, size]) => size >= 0));
}

function statusKb(key: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error(`/proc/self/status has no ${key}`);
  return Number(m[1]);
}

describe(`upload safety on ${driver}`, () => {
  let handle: DbHandle;
  let base: string;
  let parent: string;
  let dataDir: string;
  let privateTmp: string;
  let ada: TestUser;
  let datasetId = '';
  const savedTmp = process.env.TMPDIR;
  const systemTmp = os.tmpdir();
  const systemTmpBefore = new Set(fs.readdirSync(systemTmp));
  const passwd = fs.statSync('/etc/passwd');
  const summary: string[] = [];
  let peakGrowthMib = 0;
  let peakMib = 0;
  /** Paths an attack names, outside DATA_DIR: none may appear. */
  const targets = () => [
    '/tmp/abs.bin', '/tmp/evil.png', '/tmp/x.bin', '/tmp/evil.bin', path.join(systemTmp, 'x.bin'), path.join(systemTmp, 'evil.png'),
    path.join(parent, 'x.bin'), path.join(parent, 'evil.png'), path.join(base, 'x.bin'), path.join(base, 'evil.png'),
    path.join(process.cwd(), 'x.bin'), path.join(process.cwd(), 'evil.png'), path.join(process.cwd(), 'C:\\evil.png'), path.join(process.cwd(), 'C:\\evil.bin'),
  ];

  beforeAll(async () => {
    base = fs.mkdtempSync(path.join(systemTmp, 'gazebench-upload-safety-'));
    parent = path.join(base, 'parent');
    dataDir = path.join(parent, 'data');
    privateTmp = path.join(base, 'tmp');
    fs.mkdirSync(dataDir, { recursive: true });
    fs.mkdirSync(privateTmp);
    process.env.TMPDIR = privateTmp;
    expect(os.tmpdir()).toBe(privateTmp);
    process.env.DATA_DIR = dataDir;
    handle = await freshDb();
    ada = await makeUser(handle.db);
    const res = await call(createDataset, request('/api/v1/datasets', { json: { name: 'Safety', slug: 'safety', description: '' }, caller: asCookie(ada) }));
    expect(res.status).toBe(201);
    datasetId = ((await res.json()) as { id: string }).id;
    // One accepted upload of each kind first, so that the cases are refused by their own fault.
    const ok = await call(uploadImages, request(`/api/v1/datasets/${datasetId}/images`, { body: formData([{ name: 'fine_1.png', bytes: png(8, 8) }]), caller: asCookie(ada) }), { id: datasetId });
    expect(ok.status).toBe(201);
    const staged = await call(stageModel, request('/api/v1/models/uploads', { body: formData(['model.json', 'weights.bin'].map((n) => ({ name: n, bytes: readBundle(n) }))), caller: asCookie(ada) }));
    expect(staged.status).toBe(201);
    fs.rmSync(path.join(dataDir, 'uploads'), { recursive: true, force: true });
  });

  afterAll(async () => {
    process.env.TMPDIR = savedTmp;
    if (savedTmp === undefined) delete process.env.TMPDIR;
    await handle.close();
    const appeared = [...new Set(fs.readdirSync(systemTmp))].filter((n) => !systemTmpBefore.has(n) && !n.startsWith('gazebench-upload-safety-'));
    fs.rmSync(base, { recursive: true, force: true });
    console.log(
      `upload safety (${driver}): ${CASES.length} cases refused; peak RSS growth ≤ ${peakGrowthMib.toFixed(1)} MiB (bound ${MAX_RSS_GROWTH_MIB} MiB), test process peak ${peakMib.toFixed(0)} MiB; ` +
        `${appeared.length} new entries in ${systemTmp} during the file (other processes share it; none is an attack target)\n${summary.join('\n')}`,
    );
  });

  it.each(CASES.map((c) => [c.name, c] as const))('refuses %s', async (_name, c) => {
    const rowsBefore = await tableChecksums(handle.db);
    const dataBefore = filesOnly(tree(dataDir));
    const parentBefore = tree(parent, dataDir);
    const tmpBefore = tree(privateTmp);
    const { body, headers = {}, query = '' } = await c.body();
    const req = c.route === 'model'
      ? request('/api/v1/models/uploads', { body, caller: asCookie(ada), headers })
      : request(`/api/v1/datasets/${datasetId}/images${query}`, { body, caller: asCookie(ada), headers });
    const handler = c.route === 'model' ? stageModel : uploadImages;
    global.gc?.();
    const rssBefore = statusKb('VmRSS');
    fs.writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
    const res = await call(handler, req, c.route === 'model' ? {} : { id: datasetId });
    const hwm = statusKb('VmHWM');
    const growthMib = (hwm - rssBefore) / 1024;
    peakMib = Math.max(peakMib, hwm / 1024);
    const text = await res.text();
    const answer = JSON.parse(text) as { error?: unknown; field?: unknown; detail?: unknown };
    summary.push(`  ${c.name.padEnd(74)} → ${res.status} ${String(answer.error)} field=${String(answer.field)}  peak RSS +${growthMib.toFixed(1)} MiB`);
    peakGrowthMib = Math.max(peakGrowthMib, growthMib);

    expect(res.status, text).toBe(c.status);
    expect(answer.error).toBeTypeOf('string');
    expect(answer.field, text).toBe(c.field);
    expect(answer.detail, text).toMatch(c.detail);
    expect(await tableChecksums(handle.db)).toEqual(rowsBefore);
    expect(filesOnly(tree(dataDir)), 'DATA_DIR gains no file (blobs, tmp, uploads)').toEqual(dataBefore);
    expect(fs.readdirSync(path.join(dataDir, 'tmp')), 'DATA_DIR/tmp is left empty').toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'uploads')) ? fs.readdirSync(path.join(dataDir, 'uploads')) : [], 'no staged upload is left').toEqual([]);
    expect(tree(parent, dataDir), 'the parent of DATA_DIR gains nothing').toEqual(parentBefore);
    expect(tree(privateTmp), 'TMPDIR gains nothing').toEqual(tmpBefore);
    for (const target of targets()) expect(fs.existsSync(target), target).toBe(false);
    const now = fs.statSync('/etc/passwd');
    expect([now.size, now.mtimeMs]).toEqual([passwd.size, passwd.mtimeMs]);
    expect(growthMib, 'peak RSS growth (MiB)').toBeLessThan(MAX_RSS_GROWTH_MIB);
  });
});
