/**
 * Writes the demo dataset (lib/demo/shapes.ts `demoDataset()`) as PNG files
 * plus a manifest.json so a person can look at it.
 *
 *   npm run demo:generate -- --out <dir>
 *
 * manifest.json: { seed, images: [{ name, label, labelIndex, background,
 * center, radius, bbox }] } with bbox inclusive pixel bounds of the mask.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodePng } from '@/lib/io/png';
import { DEMO_DATASET_SEED, demoDataset, demoImageName } from '@/lib/demo/shapes';

function parseOut(argv: readonly string[]): string {
  const i = argv.indexOf('--out');
  const value = i >= 0 ? argv[i + 1] : undefined;
  if (value === undefined || value.startsWith('--')) {
    throw new Error('usage: npm run demo:generate -- --out <dir>');
  }
  return path.resolve(value);
}

async function main(): Promise<void> {
  const out = parseOut(process.argv.slice(2));
  await mkdir(out, { recursive: true });
  const started = performance.now();
  const images = demoDataset();
  const generatedMs = performance.now() - started;
  const manifest = {
    seed: DEMO_DATASET_SEED,
    images: images.map((img, i) => ({
      name: demoImageName(img, i),
      label: img.label,
      labelIndex: img.labelIndex,
      background: img.background,
      center: img.center,
      radius: img.radius,
      bbox: img.bbox,
    })),
  };
  await Promise.all(
    images.map((img, i) =>
      writeFile(path.join(out, demoImageName(img, i)), encodePng({ width: img.width, height: img.height, data: img.rgba })),
    ),
  );
  await writeFile(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${images.length} images and manifest.json to ${out} (generated in ${generatedMs.toFixed(0)} ms)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
