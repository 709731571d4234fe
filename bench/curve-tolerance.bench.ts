/**
 * How far two TF.js backends disagree on insertion/deletion curve points (issue 18: the tolerance
 * τ of the server's spot checks of browser curves). Browsers run wasm, WebGL or WebGPU; Node has
 * wasm and the pure-JS cpu backend only, so wasm vs cpu on the same model in Node is the proxy: two
 * independent float32 kernel sets (XNNPACK's SIMD GEMM with its own summation order vs tfjs-core's
 * naive loops), as WebGL's shader convolutions are a third.
 *
 *   npx tsx bench/curve-tolerance.bench.ts [--bundle DIR] [--images N] [--points K] [--step S]
 *
 * For each of --images demo-style images (default 4) and a Gaussian map on the object, the full
 * deletion and insertion curves on wasm (lib/evaluation conventions), then the same curves at
 * --points indices (default 12, endpoints included) on cpu with `curvePointsAt` (wasm too, at the same
 * points, when --points is below n + 1); prints the largest
 * and the median |wasm − cpu| and the load average. The cpu backend takes ≈ 1.4 s per demo-CNN
 * forward pass, hence the sample.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateShapeImage, SHAPE_CLASSES } from '../lib/demo/shapes';
import { curvePointsAt, deletionCurve, insertionCurve, type ModelImage } from '../lib/metrics/insertion-deletion';
import { loadModelBundle } from '../lib/models/bundle';
import { scoreBatchFor } from '../lib/models/predict';
import { preprocess } from '../lib/models/preprocess';
import { initTfNode } from '../lib/models/tf-node';

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' / ');

function centredMap(cx: number, cy: number, size: number): { width: number; height: number; data: Float64Array } {
  const data = new Float64Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data[y * size + x] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 1800) + 1e-3 * (((x * 31 + y * 17) % 97) / 97);
  return { width: size, height: size, data };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { bundle: { type: 'string' }, images: { type: 'string', default: '4' }, points: { type: 'string', default: '12' }, step: { type: 'string' } } });
  const dir = values.bundle ?? path.resolve('public/models/demo-shapes');
  const images = Number(values.images);
  const points = Number(values.points);
  console.log(`bundle ${dir}, ${images} images, ${points} cpu points per curve; load at start ${load()}`);
  const diffs: number[] = [];
  let worst = { diff: 0, where: '' };
  for (let i = 0; i < images; i++) {
    const shape = generateShapeImage(2026, 1000 + i, SHAPE_CLASSES[i % SHAPE_CLASSES.length]);
    await initTfNode('wasm');
    const wasmBundle = await loadModelBundle(dir);
    const [h, w] = wasmBundle.config.inputSize;
    const step = values.step ? Number(values.step) : w;
    const data = preprocess(shape.rgba, shape.width, shape.height, wasmBundle.config.preprocessing, wasmBundle.config.inputSize);
    const image: ModelImage = { width: w, height: h, channels: wasmBundle.channels, data };
    const map = centredMap((shape.center.x * w) / shape.width, (shape.center.y * h) / shape.height, w);
    const wasmScore = scoreBatchFor(wasmBundle, { output: 'probability', batchSize: 16 });
    const n = Math.ceil((w * h) / step);
    const at = [...new Set([0, n, ...Array.from({ length: points - 2 }, (_, j) => Math.round(((j + 1) * n) / (points - 1)))])].sort((a, b) => a - b);
    // wasm: the full curves when every point is compared, else the same points (ResNet50: minutes per curve).
    const full = at.length === n + 1;
    const wasmDel = full ? await deletionCurve(image, map, wasmScore, { step }) : null;
    const classIndex = wasmDel?.classIndex ?? (await curvePointsAt('deletion', image, map, wasmScore, [0], { step })).classIndex;
    const asCurve = async (kind: 'insertion' | 'deletion'): Promise<Float64Array> => {
      if (kind === 'deletion' && wasmDel) return wasmDel.curve;
      if (full) return (await insertionCurve(image, map, wasmScore, { step, classIndex })).curve;
      const p = await curvePointsAt(kind, image, map, wasmScore, at, { step, classIndex });
      const c = new Float64Array(n + 1).fill(Number.NaN);
      p.indices.forEach((i, j) => (c[i] = p.scores[j] as number));
      return c;
    };
    const del = { curve: await asCurve('deletion'), classIndex };
    const ins = { curve: await asCurve('insertion') };
    wasmBundle.dispose();
    await initTfNode('cpu');
    const cpuBundle = await loadModelBundle(dir);
    const cpuScore = scoreBatchFor(cpuBundle, { output: 'probability', batchSize: 16 });
    const t0 = Date.now();
    const cpuDel = await curvePointsAt('deletion', image, map, cpuScore, at, { step, classIndex: del.classIndex });
    const cpuIns = await curvePointsAt('insertion', image, map, cpuScore, at, { step, classIndex: del.classIndex });
    cpuBundle.dispose();
    for (const [name, full, sampled] of [['deletion', del.curve, cpuDel], ['insertion', ins.curve, cpuIns]] as const) {
      sampled.indices.forEach((index, j) => {
        const d = Math.abs((full[index] as number) - (sampled.scores[j] as number));
        diffs.push(d);
        if (d > worst.diff) worst = { diff: d, where: `image ${i} ${name} index ${index}: wasm ${full[index]} cpu ${sampled.scores[j]}` };
      });
    }
    console.log(`image ${i}: class ${del.classIndex}, cpu points in ${((Date.now() - t0) / 1000).toFixed(0)} s, max so far ${worst.diff.toExponential(2)}; load ${load()}`);
  }
  const sorted = [...diffs].sort((a, b) => a - b);
  console.log(`points compared ${diffs.length}; |wasm − cpu| median ${(sorted[sorted.length >> 1] ?? 0).toExponential(2)}, max ${worst.diff.toExponential(2)} (${worst.where}); load at end ${load()}`);
}

await main();
