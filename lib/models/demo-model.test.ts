/**
 * The committed demo CNN (public/models/demo-shapes, made by
 * `npm run demo:train`) must still classify the demo dataset that
 * lib/demo/shapes.ts generates today: a change to the generator or a broken
 * weights file fails here. Runs on the WASM backend, as the app does.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tensor } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { SHAPE_CLASSES, demoDataset, type ShapeImage } from '@/lib/demo/shapes';
import { fileSystemHandler } from './fs-io';
import { initTfNode } from './tf-node';

const MODEL_DIR = fileURLToPath(new URL('../../public/models/demo-shapes', import.meta.url));
/** Held-out accuracy measured by `npm run demo:train` (see docs/demo-content.md). */
const MEASURED_ACCURACY = 0.9875;
/** Margin for backend or float-order differences: one image in 80 is 0.0125. */
const MARGIN = 0.03;

function unitBatch(images: readonly ShapeImage[]): Float32Array {
  const n = 224 * 224;
  const out = new Float32Array(images.length * n * 3);
  images.forEach((img, b) => {
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) out[(b * n + i) * 3 + c] = (img.rgba[i * 4 + c] as number) / 255;
    }
  });
  return out;
}

describe('demo shapes CNN', () => {
  it('has a model card matching the model', async () => {
    const card = JSON.parse(await readFile(path.join(MODEL_DIR, 'gazebench.json'), 'utf8')) as Record<string, unknown>;
    expect(card.labels).toEqual([...SHAPE_CLASSES]);
    expect(card.preprocessing).toBe('unit');
    expect(card.inputSize).toEqual([224, 224]);
    expect(card.targetLayer).toBe('last_conv');
    expect(card.license).toBe('GPL-3.0-or-later');
    expect(card.heldOutAccuracy).toBeCloseTo(MEASURED_ACCURACY, 9);
    expect((await stat(path.join(MODEL_DIR, 'weights.bin'))).size).toBeLessThan(5 * 1024 * 1024);
  });

  it('classifies the 80 demo images as well as when it was trained (WASM backend)', async () => {
    const tf = await initTfNode('wasm');
    const model = await tf.loadLayersModel(fileSystemHandler(MODEL_DIR));
    expect(model.inputs[0]?.shape).toEqual([null, 224, 224, 3]);
    const target = model.getLayer('last_conv').output as { shape: Array<number | null> };
    expect(target.shape.length).toBe(4);
    expect(target.shape[1]).toBeGreaterThanOrEqual(7);

    const images = demoDataset();
    const before = tf.memory().numTensors;
    const predicted: number[] = [];
    for (let start = 0; start < images.length; start += 20) {
      const batch = images.slice(start, start + 20);
      const labels = tf.tidy(() => {
        const x = tf.tensor4d(unitBatch(batch), [batch.length, 224, 224, 3]);
        const probs = model.predict(x) as Tensor;
        // Probabilities: a softmax output sums to 1 per image.
        const sums = probs.sum(-1).dataSync();
        for (const s of sums) expect(s).toBeCloseTo(1, 5);
        return Array.from(probs.argMax(-1).dataSync());
      });
      predicted.push(...labels);
    }
    expect(tf.memory().numTensors).toBe(before);
    const correct = predicted.filter((p, i) => p === images[i]?.labelIndex).length;
    const accuracy = correct / images.length;
    expect(accuracy).toBeGreaterThan(0.8);
    expect(accuracy).toBeGreaterThanOrEqual(MEASURED_ACCURACY - MARGIN);
    // Every class is recognised, not only the majority of some.
    for (let c = 0; c < SHAPE_CLASSES.length; c++) {
      const own = images.map((img, i) => [img.labelIndex, predicted[i]]).filter(([l]) => l === c);
      expect(own.filter(([l, p]) => l === p).length / own.length).toBeGreaterThan(0.5);
    }
    model.dispose();
  });
});
