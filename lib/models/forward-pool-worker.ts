/**
 * One worker of forward-pool.ts: its own wasm backend and its own copy of the bundle in
 * workerData.dir; answers each ForwardRequest with the model's outputs for the packed inputs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { loadModelBundle, type ModelBundle } from './bundle';
import type { ForwardAnswer, ForwardRequest, WorkerReady } from './forward-pool';
import { initTfNode } from './tf-node';

const port = parentPort;
if (port === null) throw new Error('forward-pool-worker.ts runs only as a worker thread');
const { dir, wasmThreads } = workerData as { dir: string; wasmThreads: number };
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

let bundle: ModelBundle;
try {
  await initTfNode('wasm', { wasmThreads });
  bundle = await loadModelBundle(dir);
  port.postMessage({ ready: true } satisfies WorkerReady);
} catch (error) {
  port.postMessage({ ready: false, error: message(error) } satisfies WorkerReady);
  process.exit(1);
}

const [h, w] = bundle.config.inputSize;
port.on('message', (request: ForwardRequest) => {
  const { id, packed, n, output } = request;
  void (async () => {
    try {
      // forwardAsync: graph models that TF.js runs only with executeAsync work here too.
      const x = tf.tensor4d(packed, [n, h, w, bundle.channels]);
      let values: Float32Array;
      try {
        const result = await bundle.forwardAsync(x, output);
        try {
          values = (await result.data()) as Float32Array;
        } finally {
          result.dispose();
        }
      } finally {
        x.dispose();
      }
      // Transferred: it must own its whole buffer (wasm reads are copies already; this checks).
      const own = values.byteOffset === 0 && values.byteLength === values.buffer.byteLength ? values : values.slice();
      port.postMessage({ id, values: own } satisfies ForwardAnswer, [own.buffer as ArrayBuffer]);
    } catch (error) {
      port.postMessage({ id, error: message(error) } satisfies ForwardAnswer);
    }
  })();
});
