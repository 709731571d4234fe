/**
 * Trains the demo CNN (npm run demo:train) and writes it to
 * public/models/demo-shapes/ (model.json + weights.bin + gazebench.json).
 *
 * Data: TRAIN_IMAGES images from generateShapeImage(TRAIN_SEED, i), classes
 * balanced (image i has class i mod 5); TRAIN_SEED differs from the demo
 * dataset's seed, so the 80 demo images (DEMO_DATASET_SEED) are a held-out
 * test set never seen in training and never used to choose anything.
 *
 * Model (input 224×224×3, preprocessing "unit" = RGB/255):
 *   AveragePooling2D 4×4 ('downsample', 56×56) → Conv2D 16 3×3 ReLU ('conv1')
 *   → MaxPool 2 → Conv2D 32 3×3 ReLU ('conv2') → MaxPool 2 → Conv2D 64 3×3
 *   ReLU ('last_conv', 14×14, the CAM target layer) → GlobalMaxPooling2D
 *   ('global_max') → Dense 5 ('logits') → Softmax ('probs', the output).
 * Global MAX pooling (Oquab et al. 2015, CVPR, "Is object localization for
 * free?") rather than the average of CAM (Zhou et al. 2016, CVPR): the
 * objects cover 3–25 % of the 14×14 map and with GAP their evidence is
 * diluted by the background — GAP variants (with and without batch norm,
 * wider, a 7×7 last_conv) stayed at chance after 6 epochs, GMP reached 87 %
 * in the same budget. Grad-CAM on this net is the CAM map Σk w_k^c A_k
 * (up to scale), since the class score's gradient reaches each channel only
 * at its maximum.
 *
 * The average pooling has no weights, so training applies the same layer
 * objects to inputs pooled once in JS (exactly the 4×4 mean of x/255): this
 * saves memory and time and the saved 224-input model shares the weights.
 * Backend: WASM with the convolution-gradient kernels of lib/models/tf-node.ts.
 * Weight initialisers and the batch order are seeded; TF.js float order is
 * deterministic on one machine, so a rerun reproduces the weights there.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LayersModel, Tensor, SymbolicTensor } from '@tensorflow/tfjs';
import { createRandom } from '@/lib/random';
import { DEMO_DATASET_SEED, SHAPE_CLASSES, SHAPE_SIZE, demoDataset, generateShapeImage, type ShapeImage } from '@/lib/demo/shapes';
import { fileSystemHandler } from '@/lib/models/fs-io';
import { initTfNode } from '@/lib/models/tf-node';

const TRAIN_SEED = 1;
const TRAIN_IMAGES = 4000;
const EPOCHS = 12;
/** Epoch from which the learning rate drops to LATE_LEARNING_RATE. */
const DECAY_EPOCH = 9;
const BATCH_SIZE = 32;
const LEARNING_RATE = 2e-3;
const LATE_LEARNING_RATE = 3e-4;
const INIT_SEED = 7;
const POOL = 4;
const POOLED = SHAPE_SIZE / POOL;
const OUT_DIR = path.resolve('public/models/demo-shapes');

const tf = await initTfNode('wasm');

/** x/255 averaged over POOL×POOL blocks, HWC. */
function pooledUnitRgb(img: ShapeImage, out: Float32Array, offset: number): void {
  const scale = 1 / (255 * POOL * POOL);
  for (let py = 0; py < POOLED; py++) {
    for (let px = 0; px < POOLED; px++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < POOL; dy++) {
          const row = (py * POOL + dy) * SHAPE_SIZE;
          for (let dx = 0; dx < POOL; dx++) sum += img.rgba[(row + px * POOL + dx) * 4 + c] as number;
        }
        out[offset + (py * POOLED + px) * 3 + c] = sum * scale;
      }
    }
  }
}

/** Unit-preprocessed full-size batch, HWC. */
function unitRgb(images: readonly ShapeImage[]): Tensor {
  const data = new Float32Array(images.length * SHAPE_SIZE * SHAPE_SIZE * 3);
  images.forEach((img, n) => {
    for (let i = 0; i < SHAPE_SIZE * SHAPE_SIZE; i++) {
      for (let c = 0; c < 3; c++) data[(n * SHAPE_SIZE * SHAPE_SIZE + i) * 3 + c] = (img.rgba[i * 4 + c] as number) / 255;
    }
  });
  return tf.tensor4d(data, [images.length, SHAPE_SIZE, SHAPE_SIZE, 3]);
}

function buildModels(): { full: LayersModel; train: LayersModel } {
  const conv = (filters: number, name: string, seed: number) =>
    tf.layers.conv2d({
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name,
      kernelInitializer: tf.initializers.heNormal({ seed }),
    });
  const trunk = [
    conv(16, 'conv1', INIT_SEED),
    tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
    conv(32, 'conv2', INIT_SEED + 1),
    tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
    conv(64, 'last_conv', INIT_SEED + 2),
    tf.layers.globalMaxPooling2d({ name: 'global_max' }),
    tf.layers.dense({
      units: SHAPE_CLASSES.length,
      name: 'logits',
      kernelInitializer: tf.initializers.glorotUniform({ seed: INIT_SEED + 3 }),
    }),
    // A layer of its own so that explainers can target the logit or the probability.
    tf.layers.activation({ activation: 'softmax', name: 'probs' }),
  ];
  const apply = (input: SymbolicTensor) => trunk.reduce((x, layer) => layer.apply(x) as SymbolicTensor, input);
  const fullInput = tf.input({ shape: [SHAPE_SIZE, SHAPE_SIZE, 3], name: 'image' });
  const pooled = tf.layers.averagePooling2d({ poolSize: POOL, name: 'downsample' }).apply(fullInput) as SymbolicTensor;
  const full = tf.model({ inputs: fullInput, outputs: apply(pooled), name: 'demo_shapes_cnn' });
  const trainInput = tf.input({ shape: [POOLED, POOLED, 3], name: 'pooled_image' });
  const train = tf.model({ inputs: trainInput, outputs: apply(trainInput), name: 'demo_shapes_cnn_train' });
  return { full, train };
}

function evaluate(model: LayersModel, images: readonly ShapeImage[]): { accuracy: number; perClass: Record<string, number> } {
  const predicted = tf.tidy(() => {
    const x = unitRgb(images);
    return Array.from((model.predict(x) as Tensor).argMax(-1).dataSync());
  });
  const correct = new Array<number>(SHAPE_CLASSES.length).fill(0);
  const total = new Array<number>(SHAPE_CLASSES.length).fill(0);
  images.forEach((img, i) => {
    total[img.labelIndex] = (total[img.labelIndex] as number) + 1;
    if (predicted[i] === img.labelIndex) correct[img.labelIndex] = (correct[img.labelIndex] as number) + 1;
  });
  const perClass = Object.fromEntries(SHAPE_CLASSES.map((name, c) => [name, (correct[c] as number) / Math.max(1, total[c] as number)]));
  return { accuracy: correct.reduce((a, b) => a + b, 0) / images.length, perClass };
}

async function main(): Promise<void> {
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(0);
  const pixels = POOLED * POOLED * 3;
  const xs = new Float32Array(TRAIN_IMAGES * pixels);
  const labels = new Int32Array(TRAIN_IMAGES);
  for (let i = 0; i < TRAIN_IMAGES; i++) {
    const img = generateShapeImage(TRAIN_SEED, i, SHAPE_CLASSES[i % SHAPE_CLASSES.length]);
    pooledUnitRgb(img, xs, i * pixels);
    labels[i] = img.labelIndex;
  }
  const heldOut = demoDataset();
  console.log(`generated ${TRAIN_IMAGES} training images (seed ${TRAIN_SEED}) in ${seconds()} s; held out: ${heldOut.length} demo images (seed ${DEMO_DATASET_SEED})`);

  const { full, train } = buildModels();
  train.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const order = createRandom(TRAIN_SEED);
  const index = Array.from({ length: TRAIN_IMAGES }, (_, i) => i);
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    if (epoch === DECAY_EPOCH) {
      train.optimizer.dispose();
      train.compile({ optimizer: tf.train.adam(LATE_LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    }
    for (let i = index.length - 1; i > 0; i--) {
      const j = order.int(i + 1);
      [index[i], index[j]] = [index[j] as number, index[i] as number];
    }
    let lossSum = 0;
    let accSum = 0;
    let batches = 0;
    for (let start = 0; start < TRAIN_IMAGES; start += BATCH_SIZE) {
      const batch = index.slice(start, start + BATCH_SIZE);
      const bx = new Float32Array(batch.length * pixels);
      batch.forEach((k, n) => bx.set(xs.subarray(k * pixels, (k + 1) * pixels), n * pixels));
      const x = tf.tensor4d(bx, [batch.length, POOLED, POOLED, 3]);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(batch.map((k) => labels[k] as number), 'int32'), SHAPE_CLASSES.length));
      const [loss, acc] = (await train.trainOnBatch(x, y)) as number[];
      tf.dispose([x, y]);
      lossSum += loss as number;
      accSum += acc as number;
      batches++;
    }
    const held = evaluate(full, heldOut);
    console.log(
      `epoch ${epoch}/${EPOCHS}: loss ${(lossSum / batches).toFixed(4)}, train acc ${(accSum / batches).toFixed(3)}, ` +
        `held-out acc ${held.accuracy.toFixed(3)} (${seconds()} s, ${tf.memory().numTensors} tensors)`,
    );
  }

  const result = evaluate(full, heldOut);
  const trainingSeconds = Number(seconds());
  await full.save(fileSystemHandler(OUT_DIR));
  const card = {
    name: 'Demo shapes CNN',
    labels: [...SHAPE_CLASSES],
    preprocessing: 'unit',
    inputSize: [SHAPE_SIZE, SHAPE_SIZE],
    targetLayer: 'last_conv',
    logitsLayer: 'logits',
    architecture:
      'AveragePooling2D 4 → Conv2D 16 3×3 ReLU → MaxPool 2 → Conv2D 32 3×3 ReLU → MaxPool 2 → Conv2D 64 3×3 ReLU (last_conv, 14×14) → GlobalMaxPooling2D → Dense 5 (logits) → Softmax (probs)',
    trainingData: `${TRAIN_IMAGES} generated shape images (lib/demo/shapes.ts, seed ${TRAIN_SEED}), ${EPOCHS} epochs, Adam ${LEARNING_RATE} then ${LATE_LEARNING_RATE} from epoch ${DECAY_EPOCH}, batch ${BATCH_SIZE}; held-out set: the 80 demo images (seed ${DEMO_DATASET_SEED})`,
    heldOutAccuracy: result.accuracy,
    heldOutPerClassAccuracy: result.perClass,
    trainingSeconds,
    license: 'GPL-3.0-or-later',
  };
  await writeFile(path.join(OUT_DIR, 'gazebench.json'), `${JSON.stringify(card, null, 2)}\n`);
  console.log(`held-out accuracy ${result.accuracy.toFixed(4)}; per class ${JSON.stringify(result.perClass)}`);
  console.log(`saved to ${OUT_DIR} after ${trainingSeconds} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
