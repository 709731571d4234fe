import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyPublicAssets } from './copy-public-assets.mjs';

const roots: string[] = [];

function write(root: string, rel: string, content: string): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

function fakeRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gazebench-assets-'));
  roots.push(root);
  write(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm', 'simd');
  write(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm', 'plain');
  write(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.js', 'js, not copied');
  write(root, 'node_modules/webgazer/dist/mediapipe/face_mesh/face_mesh.binarypb', 'mesh');
  write(root, 'node_modules/webgazer/dist/mediapipe/face_mesh/face_mesh_solution_simd_wasm_bin.wasm', 'bin');
  return root;
}

afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

describe('copyPublicAssets', () => {
  it('copies the wasm binaries (only) and the whole mediapipe tree into public/', () => {
    const root = fakeRoot();
    expect(copyPublicAssets(root)).toEqual({ copied: 4, unchanged: 0 });
    expect(fs.readdirSync(path.join(root, 'public/tfjs-wasm')).sort()).toEqual(['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm']);
    expect(fs.readFileSync(path.join(root, 'public/tfjs-wasm/tfjs-backend-wasm-simd.wasm'), 'utf8')).toBe('simd');
    expect(fs.readFileSync(path.join(root, 'public/mediapipe/face_mesh/face_mesh.binarypb'), 'utf8')).toBe('mesh');
  });

  it('skips files that are up to date and recopies a changed one', () => {
    const root = fakeRoot();
    copyPublicAssets(root);
    expect(copyPublicAssets(root)).toEqual({ copied: 0, unchanged: 4 });
    write(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm', 'a new version');
    expect(copyPublicAssets(root)).toEqual({ copied: 1, unchanged: 3 });
    expect(fs.readFileSync(path.join(root, 'public/tfjs-wasm/tfjs-backend-wasm.wasm'), 'utf8')).toBe('a new version');
  });

  it('names the missing package', () => {
    const root = fakeRoot();
    fs.rmSync(path.join(root, 'node_modules/webgazer'), { recursive: true });
    expect(() => copyPublicAssets(root)).toThrow(/webgazer\/dist\/mediapipe is missing; is webgazer installed/);
  });
});
