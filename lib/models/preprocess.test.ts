import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '@/lib/random';
import { PREPROCESSING_PRESETS } from './bundle';
import { resizeBilinear } from '@/lib/imaging/resize';
import { imageMapInInputFrame, inputMapInImageFrame, inputPlane, preprocess, teachableMachineCrop } from './preprocess';
import { initTfNode } from './tf-node';

/** One pixel R, G, B, A. */
const pixel = (r: number, g: number, b: number, a = 255): Uint8Array => Uint8Array.from([r, g, b, a]);

function randomImage(width: number, height: number, seed: number): Uint8Array {
  const random = createRandom(seed);
  return Uint8Array.from({ length: width * height * 4 }, () => random.int(256));
}

describe('preprocess presets (hand values on one pixel R=255, G=0, B=51)', () => {
  const rgba = pixel(255, 0, 51);
  const cases: Array<[string, number[]]> = [
    ['unit', [1, 0, 0.2]],
    ['inception', [1, -1, -0.6]],
    ['imagenet-torch', [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (0.2 - 0.406) / 0.225]],
    // BGR order: B − 103.939, G − 116.779, R − 123.68.
    ['imagenet-caffe', [51 - 103.939, 0 - 116.779, 255 - 123.68]],
    // x/127 − 1 (@teachablemachine/image src/utils/tf.ts line 38), not x/127.5 − 1: 255 → 1.00787…
    ['teachable-machine', [255 / 127 - 1, -1, 51 / 127 - 1]],
  ];
  it.each(cases)('%s', (preset, expected) => {
    const out = preprocess(rgba, 1, 1, preset as (typeof PREPROCESSING_PRESETS)[number], [1, 1]);
    expect(out).toBeInstanceOf(Float32Array);
    expect(out.length).toBe(3);
    // The preset is computed in float64 and stored as float32: exactly the rounded value.
    expected.forEach((v, c) => expect(out[c]).toBe(Math.fround(v)));
  });

  it('ignores alpha', () => {
    for (const preset of PREPROCESSING_PRESETS) {
      expect(preprocess(pixel(10, 20, 30, 0), 1, 1, preset, [1, 1])).toEqual(preprocess(pixel(10, 20, 30, 255), 1, 1, preset, [1, 1]));
    }
  });
});

describe('preprocess resize (bilinear, half-pixel centres, clamped edges)', () => {
  it('2×1 → 4×1 by hand: samples at −0.25, 0.25, 0.75, 1.25 → 0, 25, 75, 100', () => {
    const rgba = Uint8Array.from([0, 0, 0, 255, 100, 200, 40, 255]);
    const out = preprocess(rgba, 2, 1, 'unit', [1, 4]);
    const red = [0, 1, 2, 3].map((i) => (out[i * 3] as number) * 255);
    const green = [0, 1, 2, 3].map((i) => (out[i * 3 + 1] as number) * 255);
    [0, 25, 75, 100].forEach((v, i) => expect(red[i]).toBeCloseTo(v, 4));
    [0, 50, 150, 200].forEach((v, i) => expect(green[i]).toBeCloseTo(v, 4));
  });

  it('3×3 → 1×1 samples the centre pixel (no antialiasing)', () => {
    const rgba = new Uint8Array(36).fill(0);
    rgba.set([90, 60, 30, 255], 4 * 4);
    expect(Array.from(preprocess(rgba, 3, 3, 'unit', [1, 1])).map((v) => Math.round(v * 255))).toEqual([90, 60, 30]);
  });

  describe('agrees with TF.js tf.image.resizeBilinear(halfPixelCenters = true)', () => {
    beforeAll(async () => {
      await initTfNode('cpu');
    });
    const sizes: Array<[number, number, number, number]> = [
      [7, 5, 9, 3],
      [13, 11, 4, 6],
      [20, 16, 224, 224],
      [224, 224, 20, 30],
    ];
    it.each(sizes)('%i×%i → %i×%i', (w, h, outW, outH) => {
      const rgba = randomImage(w, h, w * 1000 + h);
      const expected = tf.tidy(() => {
        const rgb = tf.tensor4d(rgba, [1, h, w, 4], 'float32').slice([0, 0, 0, 0], [1, h, w, 3]);
        return tf.image.resizeBilinear(rgb as tf.Tensor4D, [outH, outW], false, true).div(255).dataSync();
      });
      const actual = preprocess(rgba, w, h, 'unit', [outH, outW]);
      expect(actual.length).toBe(expected.length);
      let worst = 0;
      for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)));
      expect(worst).toBeLessThan(1e-6);
    });
  });
});

describe('preprocess "teachable-machine" is what @teachablemachine/image 0.8.5 feeds its model', () => {
  beforeAll(async () => {
    await initTfNode('cpu');
  });

  it('at the input size: exactly TM`s capture(), x.toFloat().div(127).sub(1) in TF.js float32', () => {
    const rgba = randomImage(24, 24, 16);
    const rgb = Float32Array.from({ length: 24 * 24 * 3 }, (_, i) => rgba[Math.floor(i / 3) * 4 + (i % 3)] as number);
    const expected = tf.tidy(() => tf.tensor3d(rgb, [24, 24, 3]).toFloat().div(tf.scalar(127)).sub(tf.scalar(1)).dataSync());
    expect(preprocess(rgba, 24, 24, 'teachable-machine', [24, 24])).toEqual(expected);
    // And not the inception preset's x/127.5 − 1.
    expect(preprocess(rgba, 24, 24, 'inception', [24, 24])).not.toEqual(expected);
  });

  it('crop geometry of cropTo (src/utils/canvas.ts lines 55–63): shorter side to the size, sizes rounded up, offset rounded down', () => {
    expect(teachableMachineCrop(300, 224, 224, 224)).toEqual({ scaledWidth: 300, scaledHeight: 224, x0: 38, y0: 0 });
    expect(teachableMachineCrop(640, 480, 224, 224)).toEqual({ scaledWidth: 299, scaledHeight: 224, x0: 37, y0: 0 });
    // 375 · (224 / 375) = 224.00000000000003 in float64, so TM's Math.ceil makes 225 rows: kept.
    expect(teachableMachineCrop(500, 375, 224, 224)).toEqual({ scaledWidth: 299, scaledHeight: 225, x0: 37, y0: 0 });
    expect(teachableMachineCrop(224, 224, 224, 224)).toEqual({ scaledWidth: 224, scaledHeight: 224, x0: 0, y0: 0 });
  });

  it('a wider image at the input height is its centre square (columns 38..261 of 300), not a squeeze', () => {
    const rgba = randomImage(300, 224, 3);
    const crop = new Uint8Array(224 * 224 * 4);
    for (let y = 0; y < 224; y++) crop.set(rgba.subarray((y * 300 + 38) * 4, (y * 300 + 38 + 224) * 4), y * 224 * 4);
    expect(preprocess(rgba, 300, 224, 'teachable-machine', [224, 224])).toEqual(preprocess(crop, 224, 224, 'teachable-machine', [224, 224]));
    expect(preprocess(rgba, 300, 224, 'inception', [224, 224])).not.toEqual(preprocess(crop, 224, 224, 'inception', [224, 224]));
  });

  it('a resized image holds bytes, as TM`s canvas does (every value is k/127 − 1 for an integer k)', () => {
    const out = preprocess(randomImage(37, 29, 9), 37, 29, 'teachable-machine', [16, 16]);
    for (const v of out) {
      const k = Math.round((v + 1) * 127);
      expect(v).toBe(Math.fround(Math.fround(k / 127) - 1));
    }
  });
});

describe('inputMapInImageFrame: a map at the input size back in the image`s frame', () => {
  const map = { width: 224, height: 224, data: Float64Array.from({ length: 224 * 224 }, (_, i) => 1 + (i % 7)) };

  it('"teachable-machine": the map lies on the crop (columns 38..261 of a 300×224 image), zeros where the model saw nothing', () => {
    const out = inputMapInImageFrame(map, 'teachable-machine', 300, 224);
    expect([out.width, out.height]).toEqual([300, 224]);
    for (const y of [0, 100, 223]) {
      for (const x of [0, 37, 262, 299]) expect(out.data[y * 300 + x]).toBe(0);
      for (const x of [38, 150, 261]) expect(out.data[y * 300 + x]).toBe(map.data[y * 224 + x - 38]);
    }
  });

  it('other presets: the whole image, i.e. the plain bilinear resize; a map at the image size is kept', () => {
    expect(inputMapInImageFrame(map, 'inception', 300, 224)).toEqual(resizeBilinear(map, 300, 224));
    expect(inputMapInImageFrame(map, 'teachable-machine', 224, 224)).toBe(map);
  });
});

describe('imageMapInInputFrame: a map at the image size in the input`s frame (the inverse)', () => {
  it('"teachable-machine": an image-size map is cut at the centre crop (columns 38..261 of 300×224), not squeezed', () => {
    const image = { width: 300, height: 224, data: Float64Array.from({ length: 300 * 224 }, (_, i) => i % 300) };
    const out = imageMapInInputFrame(image, 'teachable-machine', 224, 224);
    expect([out.width, out.height]).toEqual([224, 224]);
    // Column x of the input is column x + 38 of the image (the scale is 1 here): the value is the column.
    for (const y of [0, 111, 223]) for (const x of [0, 100, 223]) expect(out.data[y * 224 + x]).toBe(x + 38);
    // A squeeze (the old behaviour) would give column 0 → ~0.17, not 38.
    expect(resizeBilinear(image, 224, 224).data[0]).toBeLessThan(1);
  });

  it('round trip: a map put in the image frame and back is the map; other presets resize; input-size maps are kept', () => {
    const map = { width: 224, height: 224, data: Float64Array.from({ length: 224 * 224 }, (_, i) => 1 + (i % 7)) };
    expect(imageMapInInputFrame(inputMapInImageFrame(map, 'teachable-machine', 300, 224), 'teachable-machine', 224, 224).data).toEqual(map.data);
    const image = { width: 300, height: 200, data: Float64Array.from({ length: 300 * 200 }, (_, i) => i % 13) };
    expect(imageMapInInputFrame(image, 'unit', 224, 224)).toEqual(resizeBilinear(image, 224, 224));
    expect(imageMapInInputFrame(map, 'teachable-machine', 224, 224)).toBe(map);
  });
});

describe('inputPlane: a 0–255 plane as the model input holds it', () => {
  it('"teachable-machine" takes the pixels preprocess() takes (its x/127 − 1 inverted), other presets the plain resize', () => {
    const [w, h] = [40, 24];
    const rgba = randomImage(w, h, 11);
    const red = Float64Array.from({ length: w * h }, (_, i) => rgba[i * 4] as number);
    const cropped = inputPlane(red, w, h, 'teachable-machine', 16, 16);
    const model = preprocess(rgba, w, h, 'teachable-machine', [16, 16]);
    for (let i = 0; i < 16 * 16; i++) expect((model[i * 3] as number) + 1).toBeCloseTo((cropped[i] as number) / 127, 6);
    expect(inputPlane(red, w, h, 'unit', 16, 16)).toEqual(resizeBilinear({ width: w, height: h, data: red }, 16, 16).data);
  });
});

describe('preprocess properties and bad input', () => {
  it('does not modify its input, and each preset is the affine map of "unit"', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer(), (w, h, o, seed) => {
        const rgba = randomImage(w, h, seed);
        const copy = Uint8Array.from(rgba);
        const unit = preprocess(rgba, w, h, 'unit', [o, o + 1]);
        const inception = preprocess(rgba, w, h, 'inception', [o, o + 1]);
        const caffe = preprocess(rgba, w, h, 'imagenet-caffe', [o, o + 1]);
        expect(rgba).toEqual(copy);
        for (let i = 0; i < unit.length; i += 3) {
          for (let c = 0; c < 3; c++) {
            const x = (unit[i + c] as number) * 255;
            expect(inception[i + c]).toBeCloseTo(x / 127.5 - 1, 4);
            expect(caffe[i + 2 - c]).toBeCloseTo(x - ([123.68, 116.779, 103.939][c] as number), 3);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('rejects sizes that are not positive integers and a buffer of the wrong length', () => {
    expect(() => preprocess(new Uint8Array(0), 0, 1, 'unit', [1, 1])).toThrow(/sizes must be positive integers/);
    expect(() => preprocess(new Uint8Array(4), 1, 1, 'unit', [0, 1])).toThrow(/sizes must be positive integers/);
    expect(() => preprocess(new Uint8Array(3), 1, 1, 'unit', [1, 1])).toThrow(/rgba has 3 bytes, expected 1x1x4/);
  });
});
