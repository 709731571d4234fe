/**
 * Writes the committed demo runs (db/seed/demo-runs, read by db/seed/demo-runs.ts): real
 * explanations of the demo CNN (public/models/demo-shapes) for the 80 demo images
 * (lib/demo/shapes `demoDataset()`, the images `npm start` seeds), by the project's explainers —
 * the same library calls as `gazebench explain --format npy`, without the PNG round trip.
 *
 *   npx tsx scripts/make-demo-runs.ts [--out db/seed/demo-runs] [--methods gradcam,fem,rise,lime]
 *
 * Per method a folder `<explainer>/` with manifest.json and `<image stem>.npy.gz`: the map at
 * the model input size (224²), min-max scaled to [0, 1] as the CLI writes it (normalizeForOutput),
 * stored as float16 NPY (lib/io/npy; the rounding, at most 2^-11 relative, is far below any
 * difference the metrics report), gzip-compressed (`gunzip` or Python's `gzip.open` + `np.load`
 * read it): 320 maps take ~15 MB instead of 64 MB as float32 NPY. Settings (see RUNS):
 *  - Grad-CAM, FEM: layer `last_conv` (the bundle's targetLayer), target logit of the predicted
 *    class (pytorch-grad-cam's ClassifierOutputTarget); FEM with its k = 2.
 *  - RISE: the "seed-lab" preset (N 200, s 8, p1 0.4, score-sum normalisation), the setting of
 *    the seed lab this platform reproduces; score-sum is meant for probabilities, so the target
 *    is the predicted class's probability (the lab's softmax output). The "paper" preset (N 4000)
 *    would be 20× the forward passes for a 224² toy CNN whose maps change little.
 *  - LIME: its defaults (quickshift, 1000 samples, top 15 positive superpixels), target the
 *    predicted class's logit. lime's classifier_fn returns probabilities, but the demo CNN is so
 *    sure of some images (logit margin > 20) that the float32 softmax is exactly 1 for every
 *    perturbed sample: the ridge fit sees a constant y, no superpixel gets a positive weight and
 *    the map is all zeros (cross-065, triangle-034), for which info gain and the other
 *    min-max-based metrics are undefined. The logit keeps the signal (r² 0.97–0.99 there).
 * Deterministic: seed SEED for every image, the WASM backend (single-threaded), so re-running
 * rewrites the same bytes (checked by `git status` after a re-run).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { demoDataset, demoImageName } from '@/lib/demo/shapes';
import { getExplainer, type ExplainerTarget } from '@/lib/explainers/index';
import { normalizeForOutput } from '@/lib/imaging/normalize';
import { writeNpy } from '@/lib/io/npy';
import { loadModelBundle } from '@/lib/models/bundle';
import { initTfNode } from '@/lib/models/tf-node';

const SEED = 0;
/** zlib's best; Node writes no file name and mtime 0 in the gzip header, so the bytes are stable. */
const GZIP_LEVEL = 9;
const MODEL_DIR = 'public/models/demo-shapes';

interface DemoRunSpec {
  readonly explainer: string;
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly target: ExplainerTarget;
}

const RUNS: readonly DemoRunSpec[] = [
  { explainer: 'gradcam', name: 'Grad-CAM', params: {}, target: { classIndex: 'predicted', output: 'logit' } },
  { explainer: 'fem', name: 'FEM', params: {}, target: { classIndex: 'predicted', output: 'logit' } },
  { explainer: 'rise', name: 'RISE (seed-lab preset)', params: { preset: 'seed-lab' }, target: { classIndex: 'predicted', output: 'probability' } },
  { explainer: 'lime', name: 'LIME', params: {}, target: { classIndex: 'predicted', output: 'logit' } },
];

const { values } = parseArgs({ options: { out: { type: 'string', default: 'db/seed/demo-runs' }, methods: { type: 'string' } } });
const wanted = values.methods === undefined ? RUNS.map((r) => r.explainer) : values.methods.split(',').map((s) => s.trim());
for (const w of wanted) if (!RUNS.some((r) => r.explainer === w)) throw new Error(`--methods: '${w}' is not one of ${RUNS.map((r) => r.explainer).join(', ')}`);

await initTfNode('wasm');
const bundle = await loadModelBundle(MODEL_DIR);
const images = demoDataset();
try {
  for (const spec of RUNS.filter((r) => wanted.includes(r.explainer))) {
    const explainer = getExplainer(spec.explainer);
    const dir = path.join(values.out, spec.explainer);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const started = Date.now();
    let params: Readonly<Record<string, unknown>> = {};
    let layer: string | undefined;
    for (const [i, image] of images.entries()) {
      const result = await explainer.explain({ bundle, image, target: spec.target, params: spec.params, seed: SEED });
      params = result.params;
      layer = result.layer;
      const name = demoImageName(image, i).replace(/\.png$/, '');
      fs.writeFileSync(path.join(dir, `${name}.npy.gz`), gzipSync(writeNpy(normalizeForOutput(result.map), 'float16'), { level: GZIP_LEVEL }));
    }
    const manifest = {
      explainer: spec.explainer,
      name: spec.name,
      model: 'demo-shapes-cnn',
      params: { ...params, ...(layer === undefined ? {} : { layer }), seed: SEED },
      target: { output: spec.target.output, class: 'predicted' },
      evaluate: ['insertion', 'deletion'],
    };
    fs.writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`${spec.name}: ${images.length} maps in ${((Date.now() - started) / 1000).toFixed(1)} s → ${dir}`);
  }
} finally {
  bundle.dispose();
}
