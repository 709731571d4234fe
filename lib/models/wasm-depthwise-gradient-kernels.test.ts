import type { LayersModel, Tensor, Tensor4D, Variable } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { flatTeachableMachineModel, xceptionLikeModel } from './testing/teachable-machine.test-util';
import { initTfNode } from './tf-node';

type Shape4 = [number, number, number, number];
interface Case {
  readonly name: string;
  readonly x: Shape4;
  /** [kh, kw, C, M] */
  readonly w: Shape4;
  readonly strides: 1 | 2;
  readonly pad: 'same' | 'valid';
}

/** Largest gradient difference from the CPU backend that counts as equal (float32 sums of ≤ 200 terms). */
const TOLERANCE = 1e-5;

const CASES: Case[] = [
  { name: 'same, stride 1, 3×3, multiplier 1', x: [2, 9, 8, 3], w: [3, 3, 3, 1], strides: 1, pad: 'same' },
  { name: 'valid, stride 1, 3×2, multiplier 2', x: [2, 7, 9, 2], w: [3, 2, 2, 2], strides: 1, pad: 'valid' },
  { name: 'same, stride 1, even 4×4 kernel (asymmetric padding), multiplier 3', x: [1, 8, 8, 2], w: [4, 4, 2, 3], strides: 1, pad: 'same' },
  { name: 'same, stride 2, odd size, multiplier 1 (MobileNetV2 downsampling)', x: [2, 9, 9, 4], w: [3, 3, 4, 1], strides: 2, pad: 'same' },
  { name: 'same, stride 2, even size, 5×5 (EfficientNet), multiplier 2', x: [1, 10, 8, 3], w: [5, 5, 3, 2], strides: 2, pad: 'same' },
  { name: 'valid, stride 2, unused last row and column, multiplier 2', x: [3, 10, 10, 2], w: [3, 3, 2, 2], strides: 2, pad: 'valid' },
];

let maxDifference = 0;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  maxDifference = Math.max(maxDifference, m);
  return m;
}

/** Input and filter gradients of sum(depthwiseConv2d(x, w) · r) on one backend (seeded tensors). */
async function gradients(backend: 'wasm' | 'cpu', c: Case): Promise<{ dx: Float32Array; dw: Float32Array }> {
  const tf = await initTfNode(backend);
  return tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', 11) as Tensor4D;
    const w = tf.randomNormal(c.w, 0, 1, 'float32', 12) as Tensor4D;
    const r = tf.randomNormal(tf.depthwiseConv2d(x, w, c.strides, c.pad).shape, 0, 1, 'float32', 13);
    const f = (...args: Tensor[]) => tf.depthwiseConv2d(args[0] as Tensor4D, args[1] as Tensor4D, c.strides, c.pad).mul(r).sum();
    const [dx, dw] = tf.grads(f)([x, w]) as [Tensor, Tensor];
    return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

describe('WASM depthwise convolution gradients (composite kernels)', () => {
  it.each(CASES)('equal the CPU backend to 1e-5: $name', async (c) => {
    const cpu = await gradients('cpu', c);
    const wasm = await gradients('wasm', c);
    expect(maxAbsDiff(wasm.dx, cpu.dx)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(wasm.dw, cpu.dw)).toBeLessThan(TOLERANCE);
    // Not trivially zero.
    expect(Math.max(...Array.from(cpu.dx, Math.abs))).toBeGreaterThan(0.1);
    expect(Math.max(...Array.from(cpu.dw, Math.abs))).toBeGreaterThan(0.1);
  });

  it('dilation 2 at stride 1 satisfies the adjoint identities of the forward convolution', async () => {
    // The CPU backend's depthwise gradient kernels ignore dilations (tfjs-backend-cpu 4.22 loops
    // have no dilation term; tfjs-core's gradient never asks for it), so the reference here is the
    // forward op: y = depthwise(x, W) is bilinear, hence Σ dy·y = Σ dx·x = Σ dW·W.
    const tf = await initTfNode('wasm');
    const [xDotDx, wDotDw, dyDotY] = tf.tidy(() => {
      const x = tf.randomNormal([2, 9, 8, 3], 0, 1, 'float32', 21) as Tensor4D;
      const w = tf.randomNormal([3, 3, 3, 2], 0, 1, 'float32', 22) as Tensor4D;
      const dy = tf.randomNormal([2, 9, 8, 6], 0, 1, 'float32', 23);
      const attrs = { strides: 1, pad: 'same', dilations: 2 };
      const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...attrs, inputShape: [2, 9, 8, 3] }) as Tensor;
      const dw = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, 3, 2] }) as Tensor;
      const y = tf.depthwiseConv2d(x, w, 1, 'same', 'NHWC', 2);
      return [dx.mul(x).sum().dataSync()[0], dw.mul(w).sum().dataSync()[0], dy.mul(y).sum().dataSync()[0]] as number[];
    });
    expect(Math.abs(dyDotY as number)).toBeGreaterThan(1);
    expect(Math.abs((xDotDx as number) - (dyDotY as number))).toBeLessThan(1e-4 * Math.abs(dyDotY as number));
    expect(Math.abs((wDotDw as number) - (dyDotY as number))).toBeLessThan(1e-4 * Math.abs(dyDotY as number));
  });

  it('stride and dilation both above 1: one line naming the kernel', async () => {
    const tf = await initTfNode('wasm');
    tf.tidy(() => {
      const dy = tf.zeros([1, 4, 4, 2]);
      const filter = tf.zeros([3, 3, 2, 1]);
      const attrs = { strides: 2, pad: 'same', dilations: 2, inputShape: [1, 8, 8, 2] };
      expect(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, attrs)).toThrow(
        /^DepthwiseConv2dNativeBackpropInput on WASM: strides 2×2 with dilations 2×2 are not supported \(one of them must be 1\)$/,
      );
    });
  });

  it('free their intermediates (engine and wasm buffers), batch > 1 and multiplier > 1', async () => {
    const tf = await initTfNode('wasm');
    const x = tf.randomNormal([2, 7, 7, 3]) as Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 2]) as Tensor4D;
    const before = tf.memory();
    tf.tidy(() => {
      tf.grads((...args: Tensor[]) => tf.depthwiseConv2d(args[0] as Tensor4D, args[1] as Tensor4D, 2, 'same').sum())([x, w]);
    });
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.engine().backend.numDataIds()).toBe(before.numDataBuffers);
    tf.dispose([x, w]);
  });

  const blocks: [string, () => LayersModel][] = [
    ['MobileNetV2-like (depthwise conv + BatchNorm + ReLU6 + pointwise conv, stride-2 depthwise, residual add)', () => flatTeachableMachineModel({ size: 16, seed: 31 })],
    ['Xception-like (SeparableConv2D with multiplier 2, strided separable conv, max pool)', () => xceptionLikeModel({ size: 16, seed: 32 })],
  ];
  it.each(blocks)('tf.grad of a %s equals the CPU backend, for the input and every weight', async (_, build) => {
    const run = async (backend: 'wasm' | 'cpu') => {
      const tf = await initTfNode(backend);
      const model = build();
      const result = tf.tidy(() => {
        const x = tf.randomUniform([2, 16, 16, 3], -1, 1, 'float32', 33) as Tensor4D;
        // A logit-like score: the pre-softmax sum is reached through log(probability).
        const score = (input: Tensor): Tensor => (model.apply(input) as Tensor).slice([0, 1], [-1, 1]).log().sum() as Tensor;
        const dx = tf.grad(score)(x).dataSync();
        const variables = model.trainableWeights.map((w) => w.read() as Variable);
        const { grads } = tf.variableGrads(() => score(x) as never, variables);
        return { dx, dw: variables.map((v) => (grads[v.name] as Tensor).dataSync()), names: model.trainableWeights.map((w) => w.originalName) };
      });
      model.dispose();
      return result;
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(maxAbsDiff(wasm.dx, cpu.dx)).toBeLessThan(TOLERANCE);
    expect(Math.max(...Array.from(cpu.dx, Math.abs))).toBeGreaterThan(1e-3);
    expect(wasm.names).toEqual(cpu.names);
    expect(cpu.names.some((n) => n.endsWith('depthwise_kernel'))).toBe(true);
    cpu.dw.forEach((g, i) => expect(maxAbsDiff(wasm.dw[i] as ArrayLike<number>, g), cpu.names[i]).toBeLessThan(TOLERANCE));
  });

  it('records the largest difference seen', () => {
    console.log(`depthwise gradients: max |wasm − cpu| = ${maxDifference.toExponential(2)}`);
    expect(maxDifference).toBeLessThan(TOLERANCE);
  });
});
