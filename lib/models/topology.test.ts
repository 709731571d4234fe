import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { layerPaths } from './split';
import { saveTeachableMachineExport, teachableMachineModel, TM_TARGET_PATH } from './testing/teachable-machine.test-util';
import { initTfNode } from './tf-node';
import { layerNames, manifestGroups, manifestPaths } from './topology';

const demo: unknown = JSON.parse(readFileSync(fileURLToPath(new URL('../../public/models/demo-shapes/model.json', import.meta.url)), 'utf8'));

describe('model.json topology', () => {
  it('reads the demo bundle: shards and layers', () => {
    expect(manifestPaths(demo)).toEqual(['weights.bin']);
    const names = layerNames(demo);
    expect(names).toContain('last_conv');
    expect(names).toContain('logits');
  });

  it('handles old Sequential layouts (config is the layer list) and graph models', () => {
    const seq = { modelTopology: { class_name: 'Sequential', config: [{ class_name: 'Conv2D', config: { name: 'c1' } }, { class_name: 'Dense', config: { name: 'd' } }] }, weightsManifest: [] };
    expect(layerNames(seq)).toEqual(['c1', 'd']);
    expect(layerNames({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] })).toEqual([]);
  });

  it('refuses a malformed manifest', () => {
    expect(() => manifestPaths({ weightsManifest: [{ paths: [3] }] })).toThrow(/not a string/);
    expect(() => manifestPaths({})).toThrow(/weightsManifest/);
  });
});

describe('manifestGroups', () => {
  it('the demo bundle’s shard holds exactly the bytes its manifest describes', async () => {
    const { statSync } = await import('node:fs');
    const size = statSync(fileURLToPath(new URL('../../public/models/demo-shapes/weights.bin', import.meta.url))).size;
    expect(manifestGroups(demo)).toEqual([{ paths: ['weights.bin'], bytes: size }]);
  });

  it('counts quantised weights by their stored type, and gives up on string weights', () => {
    const json = (weights: unknown[]) => ({ modelTopology: {}, weightsManifest: [{ paths: ['a.bin'], weights }] });
    expect(manifestGroups(json([{ name: 'w', shape: [10, 3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } }, { name: 'b', shape: [3], dtype: 'float32' }]))[0]?.bytes).toBe(30 + 12);
    expect(manifestGroups(json([{ name: 's', shape: [2], dtype: 'string' }]))[0]?.bytes).toBeNull();
  });
});

describe('nested models in the topology (Teachable Machine export)', () => {
  it('names layers by path, descending into nested Sequential and functional models', async () => {
    await initTfNode('wasm');
    const model = teachableMachineModel();
    const dir = await saveTeachableMachineExport(model);
    const json: unknown = JSON.parse(readFileSync(`${dir}/model.json`, 'utf8'));
    const names = layerNames(json);
    expect(names.slice(0, 2)).toEqual(['sequential_1', 'sequential_1/model1']);
    expect(names).toContain(TM_TARGET_PATH);
    expect(names).toContain('sequential_3/dense_Dense2');
    // The same paths as the loaded model's (lib/models/split.ts), so a path chosen on the model page splits the model.
    expect(new Set(names)).toEqual(new Set(layerPaths(model)));
    model.dispose();
  });
});
