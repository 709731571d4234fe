import { describe, expect, it } from 'vitest';
import { writeNpy } from '../io/npy';
import { makeZip } from '../io/zip.test-util';
import { MapUploadError, parseJsonMap, parseNpyMap, parseZipMaps, type UploadContext } from './map-upload';

const context: UploadContext = {
  images: [
    { id: '11111111-1111-4111-8111-111111111111', name: 'cat.jpg', width: 6, height: 4 },
    { id: '22222222-2222-4222-8222-222222222222', name: 'dog.png', width: 8, height: 8 },
  ],
  inputSize: { width: 3, height: 3 },
};
const grid = (w: number, h: number, v = 0.5) => ({ width: w, height: h, data: new Float64Array(w * h).fill(v) });
const fails = (fn: () => unknown, field: string, message: RegExp) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MapUploadError);
    expect((error as MapUploadError).field).toBe(field);
    expect((error as MapUploadError).message).toMatch(message);
    return;
  }
  throw new Error('expected a MapUploadError');
};

describe('map uploads', () => {
  it('accept the image size or the model input size, by id or name (with or without extension)', () => {
    expect(parseJsonMap({ imageName: 'cat', width: 6, height: 4, data: Array(24).fill(1) }, context)).toMatchObject({ imageName: 'cat.jpg' });
    const m = parseNpyMap(writeNpy(grid(3, 3)), '22222222-2222-4222-8222-222222222222', context);
    expect(m.grid.data).toBeInstanceOf(Float32Array);
    expect(m.imageName).toBe('dog.png');
  });

  it('name the image and the problem', () => {
    fails(() => parseJsonMap({ imageName: 'cat.jpg', width: 5, height: 4, data: Array(20).fill(1) }, context), 'size', /'cat.jpg' is 5x4; expected 6x4 \(image\) or 3x3 \(model input\)/);
    fails(() => parseJsonMap({ imageName: 'cat.jpg', width: 6, height: 4, data: Array(23).fill(1) }, context), 'data', /has 23 values, expected 6x4 = 24/);
    fails(() => parseJsonMap({ imageName: 'cow', width: 6, height: 4, data: Array(24).fill(1) }, context), 'imageName', /'cow' is not in this run's dataset/);
    fails(() => parseJsonMap({ imageId: context.images[0]?.id, imageName: 'cat', width: 6, height: 4, data: [] }, context), 'imageId', /exactly one/);
    // 1e40 is finite as a double but not as the stored float32.
    fails(() => parseNpyMap(writeNpy(grid(3, 3, 1e40)), 'cat', context), 'data', /non-finite value \(1e\+40\) at x=0, y=0/);
    fails(() => parseNpyMap(new Uint8Array([1, 2, 3]), 'cat', context), 'body', /not an NPY file/);
    fails(() => parseNpyMap(writeNpy(grid(3, 3)), null, context), 'image', /needs \?image=/);
  });

  it('zip: every entry checked, duplicates and non-NPY files refused', async () => {
    const ok = await parseZipMaps(makeZip([{ name: 'cat.npy', bytes: writeNpy(grid(6, 4)) }, { name: 'x/dog.png.npy', bytes: writeNpy(grid(8, 8)) }]), context);
    expect(ok.map((m) => m.imageName)).toEqual(['cat.jpg', 'dog.png']);
    await expect(parseZipMaps(makeZip([{ name: 'cat.npy', bytes: writeNpy(grid(6, 4)) }, { name: 'cat.jpg.npy', bytes: writeNpy(grid(6, 4)) }]), context)).rejects.toThrow(/a second map for image 'cat.jpg'/);
    await expect(parseZipMaps(makeZip([{ name: 'notes.txt', bytes: new Uint8Array(3) }]), context)).rejects.toThrow(/only .npy files/);
  });

  it('curves (issue 18): accepted for a run that evaluates both, each rule refused naming the field', () => {
    // 3×3 input, step 2: ceil(9 / 2) + 1 = 6 scores per curve.
    const withCurves: UploadContext = { ...context, curves: { step: 2, inputWidth: 3, inputHeight: 3, numClasses: 4 } };
    const curves = { classIndex: 1, step: 2, insertion: [0.1, 0.2, 0.3, 0.4, 0.5, 0.9], deletion: [0.9, 0.5, 0.4, 0.3, 0.2, 0] };
    const map = (c: unknown) => ({ imageName: 'cat', width: 3, height: 3, data: Array(9).fill(1), curves: c });
    expect(parseJsonMap(map(curves), withCurves).curves).toEqual(curves);
    expect(parseJsonMap({ imageName: 'cat', width: 3, height: 3, data: Array(9).fill(1) }, withCurves).curves).toBeUndefined();
    fails(() => parseJsonMap(map(curves), context), 'curves', /does not evaluate insertion and deletion/);
    fails(() => parseJsonMap(map({ ...curves, insertion: [0.1, 0.2, null, 0.4, 0.5, 0.9] }), withCurves), 'curves.insertion.2', /number/);
    fails(() => parseJsonMap(map({ ...curves, deletion: [0.9, 0.5, 0.4, 0.3, 0.2, 1.0001] }), withCurves), 'curves.deletion.5', /\[0, 1\]/);
    fails(() => parseJsonMap(map({ ...curves, deletion: [0.9, 0.5, 0.4, 0.3, 0.2] }), withCurves), 'curves.deletion', /has 5 scores; expected 6/);
    fails(() => parseJsonMap(map({ ...curves, step: 3 }), withCurves), 'curves.step', /this run evaluates with step 2/);
    fails(() => parseJsonMap(map({ ...curves, classIndex: 4 }), withCurves), 'curves.classIndex', /out of range for a model with 4 classes/);
  });
});
