/**
 * Gaze samples in storage: the compact per-batch encoding of sample_batches.samples and the
 * screen → image mapping applied on ingest.
 *
 * Encoding (little-endian): n float64 triples (t_ms, x, y) with x, y in image pixels, then n flag
 * bytes. 25 bytes per sample: a 1-s batch of 30 samples is 750 bytes. Flags: bit 0 (1) the
 * sample maps outside the image (kept, flagged), bit 1 (2) the face was lost (x = y = 0 stored).
 * Other bits sent by a page are dropped.
 */
import { screenToImage, type Rect, type Size } from './geometry';

export const FLAG_OFF_IMAGE = 1;
export const FLAG_FACE_LOST = 2;
const BYTES_PER_SAMPLE = 25;

export interface StoredSample {
  t: number;
  x: number;
  y: number;
  flags: number;
}

export function encodeSamples(samples: readonly StoredSample[]): Uint8Array {
  const n = samples.length;
  const out = new Uint8Array(n * BYTES_PER_SAMPLE);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const s = samples[i] as StoredSample;
    view.setFloat64(i * 24, s.t, true);
    view.setFloat64(i * 24 + 8, s.x, true);
    view.setFloat64(i * 24 + 16, s.y, true);
    out[n * 24 + i] = s.flags & 0xff;
  }
  return out;
}

export function decodeSamples(bytes: Uint8Array): StoredSample[] {
  if (bytes.byteLength % BYTES_PER_SAMPLE !== 0) throw new RangeError(`sample batch of ${bytes.byteLength} bytes is not a multiple of ${BYTES_PER_SAMPLE}`);
  const n = bytes.byteLength / BYTES_PER_SAMPLE;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: StoredSample[] = new Array<StoredSample>(n);
  for (let i = 0; i < n; i++) {
    out[i] = {
      t: view.getFloat64(i * 24, true),
      x: view.getFloat64(i * 24 + 8, true),
      y: view.getFloat64(i * 24 + 16, true),
      flags: bytes[n * 24 + i] as number,
    };
  }
  return out;
}

/** Wire samples `[t, x, y, flags]` (screen CSS px) → stored samples in image pixels. */
export function mapBatchToImage(samples: ReadonlyArray<readonly [number, number, number, number]>, rect: Rect, image: Size): StoredSample[] {
  return samples.map(([t, x, y, flags]) => {
    if ((flags & FLAG_FACE_LOST) !== 0) return { t, x: 0, y: 0, flags: FLAG_FACE_LOST };
    const p = screenToImage({ x, y }, rect, image);
    return { t, x: p.x, y: p.y, flags: p.offImage ? FLAG_OFF_IMAGE : 0 };
  });
}

export interface TraceStats {
  samples: number;
  faceLost: number;
  offImage: number;
  /** Last − first sample time, ms (0 for fewer than two samples). */
  spanMs: number;
}

export function traceStats(samples: readonly StoredSample[]): TraceStats {
  let faceLost = 0;
  let offImage = 0;
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const s of samples) {
    if (s.flags & FLAG_FACE_LOST) faceLost++;
    else if (s.flags & FLAG_OFF_IMAGE) offImage++;
    t0 = Math.min(t0, s.t);
    t1 = Math.max(t1, s.t);
  }
  return { samples: samples.length, faceLost, offImage, spanMs: samples.length >= 2 ? t1 - t0 : 0 };
}
