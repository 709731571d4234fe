import { describe, expect, it } from 'vitest';
import { halfToNumber, NpyError, numberToHalf, readNpy, writeNpy } from './npy';
import { checkMap, MapUploadError } from '../scoring/map-upload';

/** Build an NPY file by hand: magic, version, header length, header text, payload. */
function npyBytes(header: string, payload: Uint8Array, major = 1): Uint8Array {
  const prefix = major === 1 ? 10 : 12;
  const out = new Uint8Array(prefix + header.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(payload, prefix + header.length);
  return out;
}

function float64Payload(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  values.forEach((v, i) => new DataView(out.buffer).setFloat64(8 * i, v, true));
  return out;
}

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));

describe('readNpy', () => {
  it('reads the bytes numpy 2.4 writes for np.save(float32 [[1.5,-2,3],[4,5,6.25]])', () => {
    const bytes = hex(
      '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73' +
        '652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020' +
        '202020202020202020202020202020202020202020202020202020202020200a0000c03f000000c00000404000008040' +
        '0000a0400000c840',
    );
    const g = readNpy(bytes);
    expect(g.width).toBe(3);
    expect(g.height).toBe(2);
    expect(g.data).toBeInstanceOf(Float32Array);
    expect(Array.from(g.data)).toEqual([1.5, -2, 3, 4, 5, 6.25]);
  });

  it('reads float16 exactly: the bytes numpy 2.4 writes for np.save(float16 [[1, -2, 65504, 2^-24], [2^-14 - 2^-24, 2^-14, 0.1, -0.0]])', () => {
    // python3 -c "import numpy as np, io; b = io.BytesIO(); np.save(b, np.array([[1, -2, 65504, 2**-24],
    //   [2**-14 - 2**-24, 2**-14, 0.1, -0.0]], dtype=np.float16)); print(b.getvalue().hex())"   (numpy 2.4.6)
    const bytes = hex(
      '934e554d5059010076007b276465736372273a20273c6632272c2027666f727472616e5f6f72646572273a2046616c73' +
        '652c20277368617065273a2028322c2034292c207d202020202020202020202020202020202020202020202020202020' +
        '202020202020202020202020202020202020202020202020202020202020200a003c00c0ff7b0100ff030004662e0080',
    );
    const g = readNpy(bytes);
    expect([g.width, g.height]).toEqual([4, 2]);
    expect(g.data).toBeInstanceOf(Float32Array);
    // Largest half, smallest and largest subnormal, smallest normal; 0.1 is the half 0x2e66 exactly.
    expect(Array.from(g.data)).toEqual([1, -2, 65504, 2 ** -24, 2 ** -14 - 2 ** -24, 2 ** -14, 1638 * 2 ** -14, -0]);
    expect(Object.is(g.data[7], -0)).toBe(true);
  });

  it('decodes half NaN and ±Inf as such, and the map check rejects them as it does for float32', () => {
    expect(Number.isNaN(halfToNumber(0x7e00))).toBe(true);
    expect(Number.isNaN(halfToNumber(0xfc01))).toBe(true);
    expect(halfToNumber(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(halfToNumber(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    const payload = Uint8Array.from([0x00, 0x3c, 0x00, 0x7e]); // [1, NaN]
    const g = readNpy(npyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (1, 2), }\n", payload));
    expect(g.data[0]).toBe(1);
    expect(Number.isNaN(g.data[1])).toBe(true);
    const image = { id: 'img', name: 'a.png', width: 2, height: 1 };
    expect(() => checkMap(image, g, { images: [image], inputSize: { width: 2, height: 1 } }, 'a.npy')).toThrow(MapUploadError);
    expect(() => checkMap(image, g, { images: [image], inputSize: { width: 2, height: 1 } }, 'a.npy')).toThrow(/non-finite value \(NaN\) at x=1, y=0/);
  });

  it('reads hand-written v1, v2 and v3 headers (row-major: shape is (height, width))', () => {
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }    \n";
    const payload = float64Payload([1, 2, 3, 4, 5, 6]);
    for (const major of [1, 2, 3]) {
      const g = readNpy(npyBytes(header, payload, major));
      expect([g.width, g.height, Array.from(g.data)]).toEqual([2, 3, [1, 2, 3, 4, 5, 6]]);
    }
  });

  it('rejects other dtypes, Fortran order, wrong shapes and truncated data', () => {
    const payload = float64Payload([1, 2, 3, 4]);
    const make = (descr: string, fortran: string, shape: string) => npyBytes(`{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`, payload);
    expect(() => readNpy(make('>f8', 'False', '(2, 2)'))).toThrow(/unsupported dtype '>f8'/);
    expect(() => readNpy(make('<i4', 'False', '(2, 2)'))).toThrow(/unsupported dtype '<i4'/);
    expect(() => readNpy(make('<f8', 'True', '(2, 2)'))).toThrow(/Fortran-ordered/);
    expect(() => readNpy(make('<f8', 'False', '(4,)'))).toThrow(/expected a 2-D shape/);
    expect(() => readNpy(make('<f8', 'False', '(1, 2, 2)'))).toThrow(/expected a 2-D shape/);
    expect(() => readNpy(make('<f8', 'False', '(0, 4)'))).toThrow(/expected a 2-D shape/);
    expect(() => readNpy(make('<f8', 'False', '(3, 2)'))).toThrow(/data has 32 bytes, expected 48/);
    expect(() => readNpy(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).toThrow(NpyError);
    expect(() => readNpy(npyBytes('{}\n', payload, 4))).toThrow(/unsupported format version 4/);
  });
});

describe('writeNpy', () => {
  it('writes a v1 header aligned to 64 bytes that readNpy reads back, float32 and float64', () => {
    const data = Float64Array.from([0.1, -2, 1e300, 4, 5, 6]);
    const bytes = writeNpy({ width: 3, height: 2, data });
    const headerLength = (bytes[8] as number) + 256 * (bytes[9] as number);
    expect((10 + headerLength) % 64).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
    expect(text).toMatch(/^\{'descr': '<f8', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    const back = readNpy(bytes);
    expect(back).toEqual({ width: 3, height: 2, data });
    const single = readNpy(writeNpy({ width: 2, height: 1, data: Float32Array.from([1.25, -3]) }));
    expect(single.data).toBeInstanceOf(Float32Array);
    expect(Array.from(single.data)).toEqual([1.25, -3]);
    expect(Array.from(readNpy(writeNpy({ width: 1, height: 2, data: Float64Array.from([0.1, 2]) }, 'float32')).data)).toEqual([Math.fround(0.1), 2]);
  });

  it('rounds to the nearest float16, ties to even, exactly as numpy astype(np.float16)', () => {
    // python3 -c "import numpy as np; print(list(np.array(xs, dtype=np.float64).astype(np.float16).view(np.uint16)))"
    //   (numpy 2.4.6) with xs as below: subnormal ties, normal ties, the top of the range.
    const xs = [0.1, 1 / 3, 2 ** -25, 2 ** -25 * 3, 2 ** -24 * 1.5, 2 ** -24 * 2.5, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 65519, 65519.99, -7.123e-6, 1e-9, 2049, 2051, 0.99999, 2 ** -14 - 2 ** -25];
    const numpy = [11878, 13653, 0, 2, 2, 2, 15360, 15362, 31743, 31743, 32888, 0, 26624, 26626, 15360, 1024];
    expect(xs.map(numberToHalf)).toEqual(numpy);
    expect(numberToHalf(-0)).toBe(0x8000);
    // Every one of the 63488 finite halves survives bits → number → bits.
    for (let bits = 0; bits < 0x10000; bits++) {
      if (((bits >> 10) & 0x1f) === 0x1f) continue;
      if (numberToHalf(halfToNumber(bits)) !== bits) throw new Error(`half 0x${bits.toString(16)} does not round-trip`);
    }
  });

  it('writes float16 that readNpy reads back, and refuses NaN, ±Inf and overflow instead of writing Inf', () => {
    const data = Float32Array.from([0, 0.25, 1 / 3, 1]);
    const bytes = writeNpy({ width: 2, height: 2, data }, 'float16');
    expect(bytes.length).toBe(128 + 4 * 2);
    expect(new TextDecoder().decode(bytes.subarray(10, 128))).toMatch(/^\{'descr': '<f2', 'fortran_order': False, 'shape': \(2, 2\), \} *\n$/);
    expect(Array.from(readNpy(bytes).data)).toEqual([0, 0.25, halfToNumber(13653), 1]);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 65520, -1e6]) {
      expect(() => writeNpy({ width: 1, height: 1, data: Float64Array.from([bad]) }, 'float16')).toThrow(/cannot be written as float16/);
    }
    expect(Array.from(readNpy(writeNpy({ width: 1, height: 1, data: Float64Array.from([65519]) }, 'float16')).data)).toEqual([65504]);
  });

  it('rejects a grid whose data does not match its size', () => {
    expect(() => writeNpy({ width: 2, height: 2, data: new Float64Array(3) })).toThrow(NpyError);
  });
});
