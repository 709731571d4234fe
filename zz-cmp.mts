import type { Tensor, SymbolicTensor } from '@tensorflow/tfjs';
import { initTfNode } from '@/lib/models/tf-node';
for (const b of ['wasm', 'cpu'] as const) {
  const tf = await initTfNode(b);
  const inp = tf.input({ shape: [56, 56, 3] });
  let x: SymbolicTensor = inp;
  for (const [f, s] of [[16, 1], [0, 0], [32, 2], [0, 0], [64, 3]] as const) {
    x = (f ? tf.layers.conv2d({ filters: f, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: s }) }) : tf.layers.maxPooling2d({ poolSize: 2 })).apply(x) as SymbolicTensor;
  }
  x = tf.layers.globalAveragePooling2d({}).apply(x) as SymbolicTensor;
  x = tf.layers.dense({ units: 5, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) }).apply(x) as SymbolicTensor;
  const m = tf.model({ inputs: inp, outputs: x });
  m.compile({ optimizer: tf.train.adam(2e-3), loss: 'categoricalCrossentropy' });
  const xs = tf.randomUniform([16, 56, 56, 3], 0, 1, 'float32', 5);
  const ys = tf.oneHot(tf.tensor1d([0,1,2,3,4,0,1,2,3,4,0,1,2,3,4,0], 'int32'), 5);
  const losses = [];
  for (let k = 0; k < 4; k++) losses.push(await m.trainOnBatch(xs, ys));
  console.log(b, losses, Array.from((m.predict(xs) as Tensor).dataSync().slice(0, 5)));
}
