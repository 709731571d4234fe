/**
 * NumPy `.npy` files for 2-D float maps (format spec: numpy `lib/format.py`, NEP 1).
 *
 * Layout: magic "\x93NUMPY", major and minor version bytes, header length (uint16 LE in v1,
 * uint32 LE in v2 and v3), then a Python dict literal {'descr', 'fortran_order', 'shape'} padded
 * with spaces and ended by '\n' so that the data starts on a 64-byte boundary, then the data.
 * Supported: v1, v2, v3; dtype '<f2', '<f4' or '<f8' (little-endian IEEE 754 binary16, float32,
 * float64), C order, shape (height, width) with both positive — exactly a `Grid`. Anything else
 * is an `NpyError` naming what is wrong, never a silent conversion (a big-endian or
 * Fortran-ordered file would otherwise be read transposed or as garbage).
 *
 * float16 ('<f2', numpy `float16`) halves the size of committed maps (db/seed/demo-runs). Reading
 * is exact (every half is a float32); NaN and ±Inf decode as such and are rejected where maps are
 * checked (lib/scoring/map-upload `checkMap`), as for float32. Writing rounds to nearest, ties to
 * even (numpy's `astype(np.float16)`), and refuses NaN, ±Inf and values that would round past
 * the largest half (65504) instead of writing ±Inf.
 */
import type { Grid } from '../metrics/types';

export class NpyError extends Error {
  constructor(message: string) {
    super(`npy: ${message}`);
    this.name = 'NpyError';
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy ARRAY_ALIGN: header padded so the data offset is a multiple of 64. */
const ALIGN = 64;

export type NpyDtype = 'float16' | 'float32' | 'float64';

const DESCR: Record<NpyDtype, string> = { float16: '<f2', float32: '<f4', float64: '<f8' };
const BYTES: Record<NpyDtype, number> = { float16: 2, float32: 4, float64: 8 };
/** Smallest magnitude that rounds (ties to even) past the largest finite half, 65504. */
const HALF_OVERFLOW = 65520;

/** Value of the IEEE 754 binary16 with these bits (exact). */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (0x400 + fraction) * 2 ** (exponent - 25);
}

function roundHalfEven(q: number): number {
  const f = Math.floor(q);
  const d = q - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}

/** Bits of the binary16 nearest to `v` (ties to even); NaN, ±Inf and overflow throw. */
export function numberToHalf(v: number): number {
  if (!Number.isFinite(v) || Math.abs(v) >= HALF_OVERFLOW) throw new NpyError(`${v} cannot be written as float16 (finite, |v| < ${HALF_OVERFLOW})`);
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  // Subnormal range: multiples of 2^-24; rounding up to 0x400 gives the smallest normal exactly.
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const fraction = roundHalfEven((a / 2 ** e - 1) * 0x400);
  return fraction === 0x400 ? sign | ((e + 16) << 10) : sign | ((e + 15) << 10) | fraction;
}

function field(header: string, key: string, pattern: string): string {
  const match = new RegExp(`['"]${key}['"]\\s*:\\s*${pattern}`).exec(header);
  if (match === null || match[1] === undefined) throw new NpyError(`header has no valid '${key}': ${header.trim()}`);
  return match[1];
}

export function readNpy(bytes: Uint8Array): Grid {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError('not an NPY file (bad magic string)');
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError('file too short for a version 2/3 header');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new NpyError(`unsupported format version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new NpyError('header runs past the end of the file');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));

  const descr = field(header, 'descr', `['"]([^'"]*)['"]`);
  const fortran = field(header, 'fortran_order', '(True|False)');
  const shapeText = field(header, 'shape', '\\(([^)]*)\\)');
  const dtype = (Object.keys(DESCR) as NpyDtype[]).find((d) => DESCR[d] === descr);
  if (dtype === undefined) throw new NpyError(`unsupported dtype '${descr}' (only little-endian float16 '<f2', float32 '<f4' and float64 '<f8')`);
  if (fortran !== 'False') throw new NpyError('Fortran-ordered arrays are not supported (save with C order)');
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new NpyError(`expected a 2-D shape (height, width) with positive sizes, got (${shapeText.trim()})`);
  }
  const [height, width] = shape as [number, number];
  const expected = width * height * BYTES[dtype];
  if (bytes.length - dataStart !== expected) {
    throw new NpyError(`data has ${bytes.length - dataStart} bytes, expected ${expected} for ${height}x${width} ${dtype}`);
  }
  const n = width * height;
  if (dtype === 'float16') {
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = halfToNumber(view.getUint16(dataStart + 2 * i, true));
    return { width, height, data };
  }
  if (dtype === 'float32') {
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getFloat32(dataStart + 4 * i, true);
    return { width, height, data };
  }
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = view.getFloat64(dataStart + 8 * i, true);
  return { width, height, data };
}

/** Encode a grid as NPY (version 1.0 unless the header needs more than 65535 bytes); float16 rounds to nearest even. */
export function writeNpy(grid: Grid, dtype: NpyDtype = grid.data instanceof Float32Array ? 'float32' : 'float64'): Uint8Array {
  const { width, height, data } = grid;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || data.length !== width * height) {
    throw new NpyError(`grid must be ${width}x${height} with that many values, got ${data.length}`);
  }
  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': (${height}, ${width}), }`;
  const version = dict.length + 1 + 10 > 0xffff ? 2 : 1;
  const prefix = version === 1 ? 10 : 12;
  const padding = (ALIGN - ((prefix + dict.length + 1) % ALIGN)) % ALIGN;
  const header = `${dict}${' '.repeat(padding)}\n`;
  const out = new Uint8Array(prefix + header.length + data.length * BYTES[dtype]);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  const start = prefix + header.length;
  for (let i = 0; i < data.length; i++) {
    if (dtype === 'float16') view.setUint16(start + 2 * i, numberToHalf(data[i] as number), true);
    else if (dtype === 'float32') view.setFloat32(start + 4 * i, data[i] as number, true);
    else view.setFloat64(start + 8 * i, data[i] as number, true);
  }
  return out;
}
