/**
 * Picks the webcam gaze source. Production: always WebGazer. The e2e build (and only it, see
 * synthetic-source.ts) may hand out the scripted synthetic source instead, when the test page
 * asked for it. `process.env.NEXT_PUBLIC_GAZEBENCH_TEST_GAZE` is replaced by a literal at build
 * time (next.config.ts `env`), so in every other build the branch is `if (false)` and the
 * bundler drops it together with the synthetic module's chunk.
 */
import type { GazeSource } from './gaze-source';
import { WebGazerSource } from './webgazer-adapter';

export async function createWebcamSource(): Promise<GazeSource> {
  if (process.env.NEXT_PUBLIC_GAZEBENCH_TEST_GAZE === '1') {
    const { SyntheticGazeSource, syntheticScriptRequested } = await import('./synthetic-source');
    const script = syntheticScriptRequested();
    if (script) return new SyntheticGazeSource(script);
  }
  return new WebGazerSource();
}
