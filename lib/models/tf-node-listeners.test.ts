/**
 * The wasm backend's emscripten module adds two rethrowing process listeners when it starts in
 * Node ('unhandledRejection' → throw, 'uncaughtException' → throw unless ExitStatus). initTfNode
 * removes exactly those and nothing else: a listener someone adds while the backend starts (as
 * Next.js does with its unhandled-rejection filter) must stay. Its own file: the backend starts
 * once per process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initTfNode, isEmscriptenRethrow, wasmDistDir } from './tf-node';

type Listener = (...args: unknown[]) => void;
const events = ['unhandledRejection', 'uncaughtException'] as const;
const listeners = (event: (typeof events)[number]) => (process as unknown as NodeJS.EventEmitter).listeners(event) as Listener[];

describe('initTfNode and process error listeners', () => {
  it('recognises the two listeners exactly as the shipped wasm backend writes them, and no others', () => {
    const dist = fs.readFileSync(path.join(wasmDistDir(), 'tf-backend-wasm.node.js'), 'utf8');
    const sources = [...dist.matchAll(/process\["on"\]\("(?:uncaughtException|unhandledRejection)", (function \(\w+\) \{ throw \w+; \}|function \(\w+\) \{ if \(!\(\w+ instanceof ExitStatus\)\) \{\s*throw \w+;\s*\} \})\)/g)].map((m) => m[1] as string);
    expect(sources.length).toBeGreaterThanOrEqual(2);
    for (const source of sources) expect(isEmscriptenRethrow(new Function(`return ${source}`)() as Listener), source).toBe(true);
    // Minified forms.
    expect(isEmscriptenRethrow(new Function('return function(e){throw e}')() as Listener)).toBe(true);
    expect(isEmscriptenRethrow(new Function('return e=>{if(!(e instanceof $X))throw e}')() as Listener)).toBe(true);
    // Listeners that log, filter or exit are someone's policy.
    const others = [
      function filteringUnhandledRejectionHandler(reason: unknown) { if (reason) console.error(reason); },
      (reason: unknown) => { console.error('unhandledRejection:', reason); },
      function (ex: unknown) { if (!(ex instanceof Error)) process.exit(1); },
      function (ex: unknown) { console.error(ex); throw ex; },
    ];
    for (const l of others) expect(isEmscriptenRethrow(l as Listener), String(l)).toBe(false);
  });

  it('removes the rethrowing listeners the backend adds and keeps one added while it starts', async () => {
    const before = new Map(events.map((e) => [e, listeners(e)]));
    const keep: Listener = (reason) => void reason;
    const starting = initTfNode('wasm');
    process.on('unhandledRejection', keep);
    try {
      await starting;
      const after = listeners('unhandledRejection');
      expect(after).toContain(keep);
      for (const e of events) {
        const now = listeners(e);
        for (const l of before.get(e) ?? []) expect(now).toContain(l);
        expect(now.filter((l) => isEmscriptenRethrow(l))).toEqual([]);
      }
    } finally {
      process.removeListener('unhandledRejection', keep);
    }
  });
});
