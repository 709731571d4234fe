import { performance } from 'node:perf_hooks';
import { loadModelBundle } from '@/lib/models/bundle';
import { scoreBatchFor } from '@/lib/models/predict';
import { initTfNode } from '@/lib/models/tf-node';
await initTfNode('wasm');
const b = await loadModelBundle('/tmp/resnet50');
for (const batch of [1, 16]) {
  const s = scoreBatchFor(b, { output: 'probability', batchSize: batch });
  const xs = Array.from({ length: batch }, () => new Float32Array(224 * 224 * 3).fill(1));
  await s(xs);
  const t: number[] = [];
  for (let r = 0; r < (batch === 1 ? 8 : 3); r++) { const t0 = performance.now(); await s(xs); t.push((performance.now() - t0) / batch); }
  console.log(batch, t.map((v) => v.toFixed(0)).join(' '));
}
