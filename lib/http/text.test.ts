import { describe, expect, it } from 'vitest';
import { controlCharacterDetail, findControlCharacter } from './text';

describe('the text rule', () => {
  it('allows tab, line feed, carriage return and all printable text', () => {
    expect(findControlCharacter({ a: 'x\ty\nz\r', b: ['é', '日本', '\u007f', '\u{1F600}'], c: 3, d: null })).toBeNull();
  });
  it('finds NUL and other C0 controls with the path of the field, in keys too', () => {
    expect(findControlCharacter({ name: 'a\u0000b' })).toEqual({ path: 'name', char: 'U+0000' });
    expect(findControlCharacter({ images: [{ label: 'ok' }, { label: 'x\u001b[31m' }] })).toEqual({ path: 'images.1.label', char: 'U+001B' });
    expect(findControlCharacter({ meta: { ['k\u0007']: 1 } })).toEqual({ path: 'meta.k\u0007', char: 'U+0007' });
    expect(findControlCharacter('\u000b')).toEqual({ path: '', char: 'U+000B' });
    expect(controlCharacterDetail({ path: 'name', char: 'U+0000' })).toContain('U+0000');
  });
  it('walks a body nested 100,000 deep without overflowing the stack', () => {
    let deep: unknown = 'bad\u0001';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findControlCharacter(deep)?.char).toBe('U+0001');
  });
});
