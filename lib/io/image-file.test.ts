import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, ImageFileError, MAX_IMAGE_PIXELS, readImageFile } from './image-file';
import { encodePng } from './png';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gazebench-image-file-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

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

  it('decodes a JPEG through sharp (colour within JPEG error)', async () => {
    const raw = Buffer.alloc(16 * 8 * 3);
    for (let i = 0; i < 16 * 8; i++) raw.set([200, 40, 90], i * 3);
    const jpeg = await sharp(raw, { raw: { width: 16, height: 8, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
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
    await expect(readImageFile(text)).rejects.toThrow(/text\.jpg: not a supported image \(supported formats: PNG, JPEG, WebP\)/);
    const truncated = encodePng({ width: 4, height: 4, data: new Uint8Array(64).fill(9) }).subarray(0, 40);
    const error = await decodeImage(truncated, 'cut.png').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageFileError);
    expect((error as Error).message).toMatch(/^cut\.png: cannot decode the image: /);
  });

  it('decodes a lossless WebP exactly', async () => {
    const raw = Buffer.from(Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 37) % 256));
    const webp = await sharp(raw, { raw: { width: 5, height: 3, channels: 3 } }).webp({ lossless: true }).toBuffer();
    const image = await decodeImage(webp, 'lossless.webp');
    expect([image.width, image.height]).toEqual([5, 3]);
    for (let i = 0; i < 15; i++) expect(Array.from(image.rgba.subarray(i * 4, i * 4 + 4))).toEqual([...raw.subarray(i * 3, i * 3 + 3), 255]);
  });

  it('refuses images above the pixel cap before decoding them (PNG header and sharp metadata)', async () => {
    const side = Math.ceil(Math.sqrt(MAX_IMAGE_PIXELS)) + 1;
    // A PNG whose IHDR claims side×side pixels; the pixel data would never be read.
    const small = encodePng({ width: 1, height: 1, data: new Uint8Array([1, 2, 3, 255]) });
    const forged = Buffer.from(small);
    forged.writeUInt32BE(side, 16);
    forged.writeUInt32BE(side, 20);
    await expect(decodeImage(forged, 'bomb.png')).rejects.toThrow(/bomb\.png: image is \d+x\d+ = \d+ pixels, more than the limit/);
    const jpeg = await sharp({ create: { width: 8000, height: 5001, channels: 3, background: '#000' } }).jpeg({ quality: 10 }).toBuffer();
    await expect(decodeImage(jpeg, 'huge.jpg')).rejects.toThrow(/huge\.jpg: image is 8000x5001 = 40008000 pixels/);
  });
});
