import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SYNTHETIC_GAZE_MARKER } from '@/lib/gaze/client/synthetic-source';
import { filesWithSyntheticSource, SYNTHETIC_MARKERS } from './test-server.mjs';

describe('filesWithSyntheticSource (the production-bundle check of scripts/e2e.mjs)', () => {
  it('greps for the marker the synthetic source really contains', () => {
    expect(SYNTHETIC_MARKERS).toContain(SYNTHETIC_GAZE_MARKER);
    const source = fs.readFileSync(path.join(__dirname, '../lib/gaze/client/synthetic-source.ts'), 'utf8');
    for (const m of SYNTHETIC_MARKERS) expect(source).toContain(m);
  });

  it('finds a marker in client chunks and server bundles, and nothing in a clean build', () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'gazebench-dist-'));
    try {
      fs.mkdirSync(path.join(dist, 'static/chunks'), { recursive: true });
      fs.mkdirSync(path.join(dist, 'server/chunks/ssr'), { recursive: true });
      fs.writeFileSync(path.join(dist, 'static/chunks/a.js'), 'console.log(1)');
      fs.writeFileSync(path.join(dist, 'server/chunks/ssr/b.js'), 'module.exports = 2');
      fs.writeFileSync(path.join(dist, 'static/chunks/c.css'), '/* gazebench-synthetic-gaze-source */');
      expect(filesWithSyntheticSource(dist)).toEqual([]);
      fs.writeFileSync(path.join(dist, 'static/chunks/d.js'), 'var s={name:"gazebench-synthetic-gaze-source"}');
      fs.writeFileSync(path.join(dist, 'server/chunks/ssr/e.js'), 'window.__gazebenchTestGaze');
      expect(filesWithSyntheticSource(dist).map((f) => path.relative(dist, f)).sort()).toEqual(['server/chunks/ssr/e.js', 'static/chunks/d.js']);
    } finally {
      fs.rmSync(dist, { recursive: true, force: true });
    }
  });
});
