import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultFeatureLayer } from '@/lib/models/split';
import { initTfNode } from '@/lib/models/tf-node';
import { buildMobileNetV2 } from './make-mobilenetv2-bundle';

beforeAll(async () => {
  await initTfNode('wasm');
});

describe('the MobileNetV2-shaped bench model', () => {
  it('has Keras MobileNetV2`s parameter count, 16 inverted residual blocks, 10 residual adds and out_relu 7×7×1280 as the default CAM layer', () => {
    const model = buildMobileNetV2(0);
    try {
      // keras.applications.MobileNetV2(weights=None).count_params() = 3,538,984.
      expect(model.countParams()).toBe(3_538_984);
      const names = model.layers.map((l) => l.name);
      expect(names.filter((n) => /^block_\d+_depthwise$/.test(n))).toHaveLength(16);
      expect(names.filter((n) => n.endsWith('_add'))).toHaveLength(10);
      expect(names.filter((n) => n.endsWith('_pad'))).toEqual(['block_1_pad', 'block_3_pad', 'block_6_pad', 'block_13_pad']);
      expect(model.getLayer('out_relu').outputShape).toEqual([null, 7, 7, 1280]);
      expect(defaultFeatureLayer(model)).toBe('out_relu');
      const p = tf.tidy(() => (model.predict(tf.randomUniform([1, 224, 224, 3], -1, 1, 'float32', 1)) as tf.Tensor).dataSync());
      expect(p.length).toBe(1000);
      expect(p.every((v) => Number.isFinite(v))).toBe(true);
    } finally {
      model.dispose();
    }
  });
});
