import { describe, expect, it } from 'vitest';
import { NpyError, readNpy, writeNpy } from './npy';

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

  it('rejects a grid whose data does not match its size', () => {
    expect(() => writeNpy({ width: 2, height: 2, data: new Float64Array(3) })).toThrow(NpyError);
  });
});
