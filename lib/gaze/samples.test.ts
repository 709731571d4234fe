import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSamples, encodeSamples, FLAG_FACE_LOST, FLAG_OFF_IMAGE, mapBatchToImage, traceStats, type StoredSample } from './samples';

describe('sample storage encoding', () => {
  it('25 bytes per sample, round trip exact', () => {
    const s: StoredSample[] = [
      { t: 1000.25, x: 12.5, y: -3, flags: 0 },
      { t: 1033.5, x: 0, y: 0, flags: FLAG_FACE_LOST },
    ];
    const bytes = encodeSamples(s);
    expect(bytes.byteLength).toBe(50);
    expect(decodeSamples(bytes)).toEqual(s);
  });

  it('decodes from a view with an offset (Buffer slices) and refuses a torn batch', () => {
    const bytes = encodeSamples([{ t: 1, x: 2, y: 3, flags: 1 }]);
    const padded = new Uint8Array(bytes.byteLength + 7);
    padded.set(bytes, 7);
    expect(decodeSamples(padded.subarray(7))).toEqual([{ t: 1, x: 2, y: 3, flags: 1 }]);
    expect(() => decodeSamples(bytes.subarray(1))).toThrow(RangeError);
  });

  it('property: round trip for any finite samples', () => {
    const sample = fc.record({
      t: fc.double({ min: 0, max: 1e10, noNaN: true }),
      x: fc.double({ min: -1e5, max: 1e5, noNaN: true }),
      y: fc.double({ min: -1e5, max: 1e5, noNaN: true }),
      flags: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 50 }), (s) => {
        expect(decodeSamples(encodeSamples(s))).toEqual(s);
      }),
      { seed: 3 },
    );
  });
});

describe('mapBatchToImage', () => {
  const rect = { x: 100, y: 50, width: 448, height: 448 };
  const image = { width: 224, height: 224 };

  it('maps through the rect, flags off-image, zeroes face-lost samples, drops unknown flag bits', () => {
    const out = mapBatchToImage(
      [
        [10, 100, 50, 0],
        [20, 324, 274, 0],
        [30, 90, 60, 0],
        [40, 999, 999, FLAG_FACE_LOST | 8],
        [50, 200, 150, 8],
      ],
      rect,
      image,
    );
    expect(out).toEqual([
      { t: 10, x: 0, y: 0, flags: 0 },
      { t: 20, x: 112, y: 112, flags: 0 },
      { t: 30, x: -5, y: 5, flags: FLAG_OFF_IMAGE },
      { t: 40, x: 0, y: 0, flags: FLAG_FACE_LOST },
      { t: 50, x: 50, y: 50, flags: 0 },
    ]);
    expect(traceStats(out)).toEqual({ samples: 5, faceLost: 1, offImage: 1, spanMs: 40 });
  });
});
