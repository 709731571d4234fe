import { describe, expect, it } from 'vitest';
import { formatParam, paramKind, paramTexts, paramValues, parseParam } from './params-form';

const RISE = { N: 4000, s: 8, p1: 0.5, shift: true, hide: 'mean', kernel: [4, 4] };

describe('paramKind / formatParam / parseParam', () => {
  it('follows the type of the default', () => {
    expect(['N', 'shift', 'hide', 'kernel'].map((k) => paramKind(RISE[k as keyof typeof RISE]))).toEqual(['number', 'boolean', 'string', 'json']);
    expect(paramKind(null)).toBe('json');
  });

  it('round-trips every kind', () => {
    for (const value of Object.values(RISE)) {
      const kind = paramKind(value);
      expect(parseParam(formatParam(value, kind), kind)).toEqual({ ok: true, value });
    }
  });

  it('names what is wrong with bad text', () => {
    expect(parseParam('', 'number')).toEqual({ ok: false, reason: "must be a finite number, got ''" });
    expect(parseParam('1e999', 'number').ok).toBe(false);
    expect(parseParam('12abc', 'number').ok).toBe(false);
    expect(parseParam('yes', 'boolean')).toEqual({ ok: false, reason: "must be true or false, got 'yes'" });
    const json = parseParam('[4,', 'json');
    expect(json.ok).toBe(false);
    if (!json.ok) expect(json.reason).toMatch(/^must be JSON/);
  });
});

describe('paramTexts / paramValues', () => {
  it('fills defaults, lets a preset override them, and parses back', () => {
    const texts = paramTexts(RISE, { N: 200, s: 8, p1: 0.4 });
    expect(texts).toEqual({ N: '200', s: '8', p1: '0.4', shift: 'true', hide: 'mean', kernel: '[4,4]' });
    expect(paramValues(RISE, texts)).toEqual({ ok: true, values: { ...RISE, N: 200, p1: 0.4 } });
  });

  it('reports the first bad field and does not modify its inputs', () => {
    const texts = { ...paramTexts(RISE), s: 'eight', p1: 'half' };
    const frozen = JSON.stringify(texts);
    expect(paramValues(RISE, texts)).toEqual({ ok: false, field: 's', reason: "must be a finite number, got 'eight'" });
    expect(JSON.stringify(texts)).toBe(frozen);
  });

  it('uses the default for a field that has no text', () => {
    expect(paramValues({ k: 2 }, {})).toEqual({ ok: true, values: { k: 2 } });
  });
});
