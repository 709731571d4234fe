import { describe, expect, it } from 'vitest';
import { sortModelFiles } from './model-files';

const file = (name: string) => new File(['{}'], name);

describe('sortModelFiles', () => {
  it('finds model.json, the shards and gazebench.json in any order', () => {
    const files = [file('group1-shard2of2.bin'), file('gazebench.json'), file('model.json'), file('group1-shard1of2.bin')];
    const r = sortModelFiles(files);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.source.modelJson.name).toBe('model.json');
    expect(r.source.weights.map((f) => f.name)).toEqual(['group1-shard2of2.bin', 'group1-shard1of2.bin']);
    expect(r.source.config?.name).toBe('gazebench.json');
  });

  it('accepts a model JSON with another name and no gazebench.json', () => {
    const r = sortModelFiles([file('resnet.json'), file('weights.bin')]);
    expect(r.ok && r.source.modelJson.name === 'resnet.json' && r.source.config === null).toBe(true);
  });

  it('says what is missing or ambiguous', () => {
    expect(sortModelFiles([file('weights.bin')])).toEqual({ ok: false, reason: 'pick the model.json of a TF.js model with its weight shards' });
    expect(sortModelFiles([file('a.json'), file('b.json')])).toEqual({ ok: false, reason: 'several JSON files (a.json, b.json): pick one model.json' });
    expect(sortModelFiles([file('model.json'), file('gazebench.json'), file('gazebench.json')])).toEqual({ ok: false, reason: 'more than one gazebench.json' });
    expect(sortModelFiles([file('model.json'), file('metadata.json'), file('metadata.json')])).toEqual({ ok: false, reason: 'more than one metadata.json' });
  });

  it('takes a Teachable Machine metadata.json beside model.json, not as the model', () => {
    const r = sortModelFiles([file('metadata.json'), file('model.json'), file('weights.bin')]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([r.source.modelJson.name, r.source.metadata?.name, r.source.config]).toEqual(['model.json', 'metadata.json', null]);
    expect(r.source.weights.map((f) => f.name)).toEqual(['weights.bin']);
  });
});
