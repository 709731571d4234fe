import { describe, expect, it } from 'vitest';
import { curvePaths, histogram } from './svg';

describe('svg figure geometry', () => {
  it('curve: x = i/n across the box, y = probability upwards, area closed on the x axis', () => {
    const { line, area } = curvePaths([1, 0.5, 0], { x: 10, y: 0, width: 100, height: 50 });
    expect(line).toBe('M10,0L60,25L110,50');
    expect(area).toBe('M10,0L60,25L110,50L110,50L10,50Z');
    expect(curvePaths([0.3], { x: 0, y: 0, width: 1, height: 1 }).line).toBe('');
  });

  it('histogram: Sturges bins between min and max, every value counted once', () => {
    const values = Array.from({ length: 32 }, (_, i) => i / 31);
    const bins = histogram(values);
    expect(bins).toHaveLength(6);
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(32);
    expect(bins[0]?.lower).toBe(0);
    expect(bins.at(-1)?.upper).toBe(1);
    expect(histogram([2, 2, 2])).toEqual([{ lower: 2, upper: 2, count: 3 }]);
    expect(histogram([])).toEqual([]);
  });
});
