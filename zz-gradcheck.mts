import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { initTfNode } from '@/lib/models/tf-node';
const shapes: Array<[number[], number[]]> = [[[32,56,56,3],[3,3,3,16]], [[32,28,28,16],[3,3,16,32]], [[32,14,14,32],[3,3,32,64]]];
for (const [xs, ws] of shapes) {
  const res: Record<string, number[][]> = {};
  for (const b of ['cpu', 'wasm'] as const) {
    const tf = await initTfNode(b);
    res[b] = tf.tidy(() => {
      const x = tf.randomNormal(xs, 0, 1, 'float32', 1) as Tensor4D, w = tf.randomNormal(ws, 0, 1, 'float32', 2) as Tensor4D;
      const r = tf.randomNormal(tf.conv2d(x, w, 1, 'same').shape, 0, 1, 'float32', 3);
      const [dx, dw] = tf.grads((...a: Tensor[]) => tf.conv2d(a[0] as Tensor4D, a[1] as Tensor4D, 1, 'same').mul(r).sum())([x, w]) as Tensor[];
      return [Array.from(dx!.dataSync()), Array.from(dw!.dataSync())];
    });
  }
  const md = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  const mx = (a: number[]) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  console.log(xs, 'dx maxdiff', md(res.cpu![0]!, res.wasm![0]!), 'scale', mx(res.cpu![0]!), 'dw maxdiff', md(res.cpu![1]!, res.wasm![1]!), 'scale', mx(res.cpu![1]!));
}
