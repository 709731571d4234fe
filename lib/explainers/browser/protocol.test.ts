import { describe, expect, it } from 'vitest';
import { workerRequestSchema } from './protocol';

const image = { width: 2, height: 1, rgba: new Uint8Array(8) };
const explain = { type: 'explain', id: 'r1', image, methods: ['gradcam'], params: {}, target: { classIndex: 'predicted', output: 'logit' }, seed: 0 };

function firstIssue(request: unknown): string {
  const r = workerRequestSchema.safeParse(request);
  if (r.success) return 'ok';
  const issue = r.error.issues[0];
  return `${issue?.path.join('.')}: ${issue?.message}`;
}

describe('workerRequestSchema', () => {
  it('accepts every request type', () => {
    expect(firstIssue({ type: 'init', backend: 'auto' })).toBe('ok');
    expect(firstIssue({ type: 'load-model', id: 'm', source: { kind: 'url', url: '/models/demo-shapes/model.json' } })).toBe('ok');
    const files = { kind: 'files', modelJson: new File(['{}'], 'model.json'), weights: [new File([''], 'w.bin')], config: null, metadata: null };
    expect(firstIssue({ type: 'load-model', id: 'm', source: files })).toBe('ok');
    expect(firstIssue(explain)).toBe('ok');
    expect(firstIssue({ ...explain, target: { classIndex: 3, output: 'probability' }, layer: 'last_conv', batchSize: 8 })).toBe('ok');
    expect(firstIssue({ ...explain, curves: { step: 224, classIndex: 'predicted' } })).toBe('ok');
    expect(firstIssue({ type: 'cancel', id: 'r1' })).toBe('ok');
    expect(firstIssue({ type: 'dispose' })).toBe('ok');
  });

  it('keeps model URLs on our origin', () => {
    for (const url of ['//evil.example/model.json', 'https://evil.example/model.json', 'models/x.json']) {
      expect(firstIssue({ type: 'load-model', id: 'm', source: { kind: 'url', url } })).toBe('source.url: must be a path on this origin');
    }
  });

  it('names the field of a bad explain request', () => {
    expect(firstIssue({ ...explain, image: { ...image, rgba: new Uint8Array(7) } })).toBe('image.rgba: rgba must hold width × height × 4 bytes');
    expect(firstIssue({ ...explain, methods: [] })).toMatch(/^methods: /);
    expect(firstIssue({ ...explain, target: { classIndex: -1, output: 'logit' } })).toMatch(/^target.classIndex: /);
    expect(firstIssue({ ...explain, seed: 0.5 })).toMatch(/^seed: /);
    expect(firstIssue({ ...explain, curves: { step: 0, classIndex: 'predicted' } })).toMatch(/^curves.step: /);
    expect(firstIssue({ type: 'init', backend: 'cuda' })).toMatch(/^backend: /);
    expect(firstIssue({ type: 'teleport' })).toMatch(/^type: /);
  });
});
