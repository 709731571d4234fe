'use client';
/**
 * The mouse alternative's view (SALICON, Jiang et al. 2015, CVPR): the image blurred everywhere
 * except a sharp foveal window of `windowPx` radius around the cursor. Two copies of the image at
 * the same rectangle: a blurred one below, a sharp one above clipped to a circle at the cursor,
 * moved on every animation frame.
 */
import { useEffect, useRef } from 'react';
import type { Rect } from '@/lib/gaze/geometry';

/** Blur of the periphery, CSS px (SALICON blurred the image with a Gaussian; the width is a display choice). */
const BLUR_PX = 14;

export function MouseImage({ url, rect, windowPx }: { url: string; rect: Rect; windowPx: number }) {
  const sharp = useRef<HTMLImageElement>(null);
  useEffect(() => {
    let pos: { x: number; y: number } | null = null;
    const onMove = (e: PointerEvent) => {
      pos = { x: e.clientX - rect.x, y: e.clientY - rect.y };
    };
    window.addEventListener('pointermove', onMove, { passive: true });
    let frame = requestAnimationFrame(function draw() {
      const el = sharp.current;
      if (el) el.style.clipPath = pos ? `circle(${windowPx.toFixed(1)}px at ${pos.x.toFixed(1)}px ${pos.y.toFixed(1)}px)` : 'circle(0px at 0px 0px)';
      frame = requestAnimationFrame(draw);
    });
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener('pointermove', onMove);
    };
  }, [rect, windowPx]);
  const box = { left: rect.x, top: rect.y, width: rect.width, height: rect.height, maxWidth: 'none' } as const;
  return (
    <>
      <img src={url} alt="" draggable={false} className="absolute select-none" style={{ ...box, filter: `blur(${BLUR_PX}px)` }} data-testid="trial-image-blurred" />
      <img ref={sharp} src={url} alt="" draggable={false} className="absolute select-none" style={{ ...box, clipPath: 'circle(0px at 0px 0px)' }} data-testid="trial-image" />
    </>
  );
}
