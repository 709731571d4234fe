import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, ImageFileError, readImageFile } from './image-file';
import { encodePng } from './png';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gazebench-image-file-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** sharp, when it can be loaded here (it is an optional dependency of Next.js). */
async function sharpOrNull(): Promise<((input: Buffer, options: object) => { jpeg(o: object): { toBuffer(): Promise<Buffer> } }) | null> {
  const name = 'sharp';
  return import(name).then(
    (m: { default: never }) => m.default,
    () => null,
  );
}
const sharp = await sharpOrNull();

describe('readImageFile', () => {
  it('decodes an RGBA PNG exactly', async () => {
    const data = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 41) % 256);
    const file = path.join(dir, 'rgba.png');
    await writeFile(file, encodePng({ width: 3, height: 2, data }));
    expect(await readImageFile(file)).toEqual({ width: 3, height: 2, rgba: data });
  });

  it('expands a grey PNG to RGBA with alpha 255', async () => {
    const png = new PNG({ width: 2, height: 1, colorType: 0, inputColorType: 0, inputHasAlpha: false });
    png.data = Buffer.from([10, 200]);
    const file = path.join(dir, 'grey.png');
    await writeFile(file, PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }));
    expect(Array.from((await readImageFile(file)).rgba)).toEqual([10, 10, 10, 255, 200, 200, 200, 255]);
  });

  it.skipIf(sharp === null)('decodes a JPEG through sharp (colour within JPEG error)', async () => {
    const raw = Buffer.alloc(16 * 8 * 3);
    for (let i = 0; i < 16 * 8; i++) raw.set([200, 40, 90], i * 3);
    const jpeg = await (sharp as NonNullable<typeof sharp>)(raw, { raw: { width: 16, height: 8, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
    const file = path.join(dir, 'photo.jpg');
    await writeFile(file, jpeg);
    const image = await readImageFile(file);
    expect([image.width, image.height, image.rgba.length]).toEqual([16, 8, 16 * 8 * 4]);
    [200, 40, 90, 255].forEach((v, c) => expect(Math.abs((image.rgba[c] as number) - v)).toBeLessThanOrEqual(4));
  });

  it('names the file and the problem: missing, not an image, a corrupt PNG', async () => {
    await expect(readImageFile(path.join(dir, 'missing.png'))).rejects.toThrow(/missing\.png: cannot read: ENOENT/);
    const text = path.join(dir, 'text.jpg');
    await writeFile(text, 'GIF89a but not really');
    await expect(readImageFile(text)).rejects.toThrow(/text\.jpg: not a supported image \(supported formats: PNG, JPEG\)/);
    const truncated = encodePng({ width: 4, height: 4, data: new Uint8Array(64).fill(9) }).subarray(0, 40);
    const error = await decodeImage(truncated, 'cut.png').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageFileError);
    expect((error as Error).message).toMatch(/^cut\.png: cannot decode the image: /);
  });
});
