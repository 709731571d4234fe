import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeTopology, TopologyError } from './keras3';

type Json = Record<string, unknown>;
const policy = (name: string) => ({ module: 'keras', class_name: 'DTypePolicy', config: { name }, registered_name: null });
const kt = (layer: string, node = 0, tensor = 0) => ({ class_name: '__keras_tensor__', config: { shape: [null, 4], dtype: 'float32', keras_history: [layer, node, tensor] } });

/** A functional model.json around `layers` (Keras 3 layout unless the caller passes Keras 2 forms). */
function functional(layers: Json[], extra: Json = {}): Json {
  return {
    format: 'layers-model',
    modelTopology: { keras_version: '3.6.0', backend: 'tensorflow', model_config: { class_name: 'Functional', config: { name: 'm', layers, input_layers: [['in', 0, 0]], output_layers: [['out', 0, 0]], ...extra } } },
    weightsManifest: [],
  };
}
const input = (config: Json = { batch_input_shape: [null, 4], dtype: 'float32', name: 'in' }): Json => ({ class_name: 'InputLayer', name: 'in', config, inbound_nodes: [] });
const dense = (name: string, nodes: unknown[], config: Json = {}): Json => ({ class_name: 'Dense', name, config: { name, units: 4, dtype: 'float32', ...config }, inbound_nodes: nodes });
const layersOf = (json: Json): Json[] => ((json.modelTopology as Json).model_config as { config: { layers: Json[] } }).config.layers;
const configOf = (json: Json): Json => ((json.modelTopology as Json).model_config as { config: Json }).config;
const KNOWN = new Set(['InputLayer', 'Dense', 'Add', 'Concatenate', 'Functional', 'Sequential', 'Conv2D', 'GlobalAveragePooling2D', 'TimeDistributed']);

describe('normalizeTopology: Keras 2 topologies', () => {
  it('returns a Keras 2 model.json as the same object, byte for byte', () => {
    const text = JSON.stringify(functional([input(), dense('out', [[['in', 0, 0, {}]]])]));
    const json = JSON.parse(text) as Json;
    const result = normalizeTopology(json, { knownClasses: KNOWN });
    expect(result.rewrites).toEqual([]);
    expect(result.modelJson).toBe(json);
    expect(JSON.stringify(result.modelJson)).toBe(text);
  });

  it('leaves the demo model (written by TF.js) unchanged', async () => {
    const file = path.join(import.meta.dirname, '..', '..', 'public', 'models', 'demo-shapes', 'model.json');
    const text = await readFile(file, 'utf8');
    const json = JSON.parse(text) as Json;
    const result = normalizeTopology(json);
    expect([result.rewrites, result.modelJson === json]).toEqual([[], true]);
  });
});

describe('normalizeTopology: each Keras 3 rewrite', () => {
  it('InputLayer batch_shape → batch_input_shape, optional: false dropped', () => {
    const json = functional([input({ batch_shape: [null, 4], dtype: 'float32', sparse: false, name: 'in', optional: false }), dense('out', [[['in', 0, 0, {}]]])]);
    const { modelJson, rewrites } = normalizeTopology(json);
    expect(layersOf(modelJson)[0]?.config).toEqual({ batch_input_shape: [null, 4], dtype: 'float32', sparse: false, name: 'in' });
    expect(rewrites).toEqual(["InputLayer batch_shape → batch_input_shape (1 layer: 'in')", "InputLayer optional: false dropped (1 layer: 'in')"]);
  });

  it('DTypePolicy objects → their name; mixed precision → float32', () => {
    const json = functional([input(), dense('a', [[['in', 0, 0, {}]]], { dtype: policy('float32') }), dense('out', [[['a', 0, 0, {}]]], { dtype: policy('mixed_float16') })]);
    const { modelJson, rewrites } = normalizeTopology(json);
    expect(layersOf(modelJson).map((l) => (l.config as Json).dtype)).toEqual(['float32', 'float32', 'float32']);
    expect(rewrites).toEqual(["dtype: DTypePolicy object → dtype string (1 layer: 'a')", "dtype: mixed-precision policy mixed_float16 → \"float32\" (1 layer: 'out')"]);
  });

  it('{args, kwargs} inbound nodes → [[layer, node, tensor, kwargs]], a list argument (Add) in order', () => {
    const add = { class_name: 'Add', name: 'out', config: { name: 'out' }, inbound_nodes: [{ args: [[kt('a'), kt('b', 0, 0)]], kwargs: { mask: null } }] };
    const json = functional([input(), dense('a', [{ args: [kt('in')], kwargs: {} }]), dense('b', [{ args: [kt('a')], kwargs: { training: false } }]), add]);
    const { modelJson } = normalizeTopology(json);
    expect(layersOf(modelJson).map((l) => l.inbound_nodes)).toEqual([[], [[['in', 0, 0, {}]]], [[['a', 0, 0, { training: false }]]], [[['a', 0, 0, {}], ['b', 0, 0, {}]]]]);
  });

  it('a tensor in call kwargs is a one-line error naming the layer and argument', () => {
    const json = functional([input(), dense('out', [{ args: [kt('in')], kwargs: { mask: kt('in') } }])]);
    expect(() => normalizeTopology(json)).toThrow(new TopologyError("layer 'out': call argument 'mask' is a tensor, which TF.js model configs cannot express"));
  });

  it('input_layers/output_layers as one triple or a dict → a list', () => {
    const json = functional([input(), dense('out', [[['in', 0, 0, {}]]])], { input_layers: ['in', 0, 0], output_layers: { z: ['out', 0, 0] } });
    const { modelJson } = normalizeTopology(json);
    expect([configOf(modelJson).input_layers, configOf(modelJson).output_layers]).toEqual([[['in', 0, 0]], [['out', 0, 0]]]);
  });

  it('module/registered_name/build_config dropped; L2 → L1L2; LecunNormal → LeCunNormal', () => {
    const layer = {
      module: 'keras.layers', class_name: 'Dense', name: 'out', registered_name: null, build_config: { input_shape: [null, 4] },
      config: {
        name: 'out', units: 4,
        kernel_initializer: { module: 'keras.initializers', class_name: 'LecunNormal', config: { seed: 3 }, registered_name: null },
        kernel_regularizer: { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.01 }, registered_name: null },
        bias_regularizer: { module: 'keras.regularizers', class_name: 'L1', config: { l1: 0.5 }, registered_name: null },
      },
      inbound_nodes: [[['in', 0, 0, {}]]],
    };
    const { modelJson } = normalizeTopology(functional([input(), layer]));
    expect(layersOf(modelJson)[1]).toEqual({
      class_name: 'Dense', name: 'out', inbound_nodes: [[['in', 0, 0, {}]]],
      config: { name: 'out', units: 4, kernel_initializer: { class_name: 'LeCunNormal', config: { seed: 3 } }, kernel_regularizer: { class_name: 'L1L2', config: { l1: 0, l2: 0.01 } }, bias_regularizer: { class_name: 'L1L2', config: { l1: 0.5, l2: 0 } } },
    });
  });

  it('recurses into a nested Functional and shifts references to a nested Sequential by one node', () => {
    const inner = { module: 'keras', class_name: 'Functional', name: 'inner', config: { name: 'inner', layers: [input({ batch_shape: [null, 4], dtype: policy('float32'), name: 'in' })], input_layers: ['in', 0, 0], output_layers: ['in', 0, 0] }, inbound_nodes: [{ args: [kt('in')], kwargs: {} }] };
    const seq = { module: 'keras', class_name: 'Sequential', name: 'seq', config: { name: 'seq', layers: [input({ batch_shape: [null, 4], dtype: 'float32', name: 'seq_in' })] }, inbound_nodes: [{ args: [kt('inner', 1)], kwargs: {} }] };
    const json = functional([input(), inner, seq, dense('out', [{ args: [kt('seq')], kwargs: {} }])], { output_layers: [['out', 0, 0], ['seq', 0, 0]] });
    const { modelJson } = normalizeTopology(json);
    const [, innerOut, seqOut, outOut] = layersOf(modelJson);
    const innerConfig = innerOut?.config as { layers: Json[]; input_layers: unknown };
    expect(innerConfig.layers[0]?.config).toEqual({ batch_input_shape: [null, 4], dtype: 'float32', name: 'in' });
    expect(innerConfig.input_layers).toEqual([['in', 0, 0]]);
    // Functional keeps its node index (both count the built-in node); Sequential gains one.
    expect(seqOut?.inbound_nodes).toEqual([[['inner', 1, 0, {}]]]);
    expect(outOut?.inbound_nodes).toEqual([[['seq', 1, 0, {}]]]);
    expect(configOf(modelJson).output_layers).toEqual([['out', 0, 0], ['seq', 1, 0]]);
  });

  it('drops a Keras 3 training config (TF.js cannot read it)', () => {
    const json = { ...functional([input({ batch_shape: [null, 4], name: 'in' }), dense('out', [[['in', 0, 0, {}]]])]), trainingConfig: { loss: 'mse', optimizer_config: { module: 'keras.optimizers', class_name: 'Adam', config: {} } } };
    const { modelJson, rewrites } = normalizeTopology(json);
    expect('trainingConfig' in modelJson).toBe(false);
    expect(rewrites.at(-1)).toBe('trainingConfig dropped (Keras 3 form; bundles only run inference)');
  });

  it('does not modify its input', () => {
    const json = functional([input({ batch_shape: [null, 4], dtype: policy('float32'), name: 'in' }), dense('out', [{ args: [kt('in')], kwargs: {} }], { dtype: policy('float32') })]);
    const before = JSON.stringify(json);
    normalizeTopology(json);
    expect(JSON.stringify(json)).toBe(before);
  });
});

describe('normalizeTopology: what TF.js cannot honour is one line', () => {
  it('names every unknown layer class with its layer', () => {
    const json = functional([input(), { class_name: 'RandomFlip', name: 'aug', config: { name: 'aug' }, inbound_nodes: [[['in', 0, 0, {}]]] }, { class_name: 'Rescaling', name: 'out', config: {}, inbound_nodes: [[['aug', 0, 0, {}]]] }]);
    expect(() => normalizeTopology(json, { knownClasses: KNOWN })).toThrow("layer classes not supported by TF.js: RandomFlip (layer 'aug'), Rescaling (layer 'out')");
  });

  it('grouped convolutions, keepdims pooling and quantized policies', () => {
    const conv = { class_name: 'Conv2D', name: 'out', config: { name: 'out', groups: 2 }, inbound_nodes: [[['in', 0, 0, {}]]] };
    expect(() => normalizeTopology(functional([input(), conv]))).toThrow("layer 'out': Conv2D with groups=2 is not supported by TF.js");
    const gap = { class_name: 'GlobalAveragePooling2D', name: 'out', config: { name: 'out', keepdims: true }, inbound_nodes: [[['in', 0, 0, {}]]] };
    expect(() => normalizeTopology(functional([input(), gap]))).toThrow("layer 'out': GlobalAveragePooling2D with keepdims=true is not supported by TF.js");
    const q = dense('out', [[['in', 0, 0, {}]]], { dtype: { module: 'keras', class_name: 'QuantizedDTypePolicy', config: { name: 'int8_from_float32' } } });
    expect(() => normalizeTopology(functional([input(), q]))).toThrow("layer 'out': dtype policy QuantizedDTypePolicy is not supported by TF.js (quantized layers)");
  });
});
