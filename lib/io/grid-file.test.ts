import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GridFileError, readGridFile } from './grid-file';
import { writeNpy } from './npy';
import { encodePng } from './png';
import { PNG } from 'pngjs';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gazebench-grid-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readGridFile', () => {
  it('reads .npy back', async () => {
    const path = join(dir, 'map.npy');
    await writeFile(path, writeNpy({ width: 2, height: 2, data: Float64Array.from([1, 2, 3, 4.5]) }));
    expect(await readGridFile(path)).toEqual({ width: 2, height: 2, data: Float64Array.from([1, 2, 3, 4.5]) });
  });

  it('reads .json {width, height, data}', async () => {
    const path = join(dir, 'map.json');
    await writeFile(path, JSON.stringify({ width: 3, height: 1, data: [0, 0.5, 1] }));
    expect(await readGridFile(path)).toEqual({ width: 3, height: 1, data: Float64Array.from([0, 0.5, 1]) });
  });

  it('reads an 8-bit PNG (red channel of RGBA) and a 16-bit grayscale PNG at full depth', async () => {
    const rgba = new Uint8Array([10, 0, 0, 255, 200, 0, 0, 255]);
    const p8 = join(dir, 'map8.png');
    await writeFile(p8, encodePng({ width: 2, height: 1, data: rgba }));
    expect(await readGridFile(p8)).toEqual({ width: 2, height: 1, data: Float64Array.from([10, 200]) });

    const png = new PNG({ width: 2, height: 1, bitDepth: 16, colorType: 0, inputColorType: 0, inputHasAlpha: false });
    png.data = Buffer.from(new Uint16Array([1000, 65535]).buffer);
    const p16 = join(dir, 'map16.png');
    await writeFile(p16, PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 16, inputHasAlpha: false }));
    expect(Array.from((await readGridFile(p16)).data)).toEqual([1000, 65535]);
  });

  it('errors name the file and the problem', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"width": 2, "height": 1, "data": [1]}');
    await expect(readGridFile(bad)).rejects.toThrow(/bad\.json: not a grid .*data/);
    const nan = join(dir, 'nan.json');
    await writeFile(nan, '{"width": 1, "height": 1, "data": [NaN]}');
    await expect(readGridFile(nan)).rejects.toThrow(/nan\.json: invalid JSON/);
    const nul = join(dir, 'null.json');
    await writeFile(nul, '{"width": 1, "height": 1, "data": [null]}');
    await expect(readGridFile(nul)).rejects.toThrow(GridFileError);
    const npy = join(dir, 'bad.npy');
    await writeFile(npy, 'hello world!');
    await expect(readGridFile(npy)).rejects.toThrow(/bad\.npy: npy: not an NPY file/);
    await expect(readGridFile(join(dir, 'map.tiff'))).rejects.toThrow(/unsupported extension/);
    await expect(readGridFile(join(dir, 'missing.npy'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
