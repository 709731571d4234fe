'use client';
/**
 * Step 4: the virtual chinrest (Li, Joo, Yeatman & Reinecke 2020, Sci. Rep. 10:904), as in
 * jsPsych's virtual-chinrest plugin: (1) resize a card to a real ID-1 card → px/mm; (2) with the
 * right eye covered, the left eye fixates a square on the right while a dot moves left; press
 * Space when it vanishes in the blind spot (13.5°) → viewing distance → pixels per degree. The
 * arithmetic is lib/gaze/geometry.ts. BLIND_SPOT_REPS sweeps are averaged (jsPsych default 5).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { CARD_WIDTH_MM, MAX_SCREEN_PPD, MIN_SCREEN_PPD, pixelsPerDegree, pxPerMmFromCard, viewingDistanceMm } from '@/lib/gaze/geometry';
import type { GeometryRequest } from '@/lib/studies/contract';
import { Button, StepFrame } from './ui';

const CARD_HEIGHT_MM = 53.98;
const BLIND_SPOT_REPS = 5;
/** Dot speed and start offset in screen millimetres (known after the card step). */
const DOT_SPEED_MM_PER_S = 30;
const DOT_START_MM = 30;
/** Contract limits on the viewing distance, mm. */
const MIN_DISTANCE_MM = 200;
const MAX_DISTANCE_MM = 1500;
/** 96 CSS px per inch: the starting card width when nothing is known. */
const DEFAULT_CARD_PX = Math.round(((CARD_WIDTH_MM / 25.4) * 96) * 2) / 2;

export function ChinrestStep({ onDone }: { onDone: (g: GeometryRequest) => Promise<void> }) {
  const [cardPx, setCardPx] = useState(DEFAULT_CARD_PX);
  const [phase, setPhase] = useState<'card' | 'blindspot' | 'saving'>('card');
  const [error, setError] = useState<string | null>(null);
  const pxPerMm = pxPerMmFromCard(cardPx);

  const finish = useCallback(
    async (blindSpotPx: number) => {
      const distance = viewingDistanceMm(blindSpotPx, pxPerMm);
      const ppd = pixelsPerDegree(pxPerMm, distance);
      if (distance < MIN_DISTANCE_MM || distance > MAX_DISTANCE_MM || ppd < MIN_SCREEN_PPD || ppd > MAX_SCREEN_PPD) {
        setError(
          `That measured a viewing distance of ${Math.round(distance / 10)} cm, which cannot be right. ` +
            'Please sit about an arm’s length from the screen and try the dot test again.',
        );
        setPhase('blindspot');
        return;
      }
      setPhase('saving');
      try {
        await onDone({
          pxPerMm,
          viewingDistanceMm: distance,
          screenPxPerDeg: ppd,
          window: { width: window.innerWidth, height: window.innerHeight },
          screen: { width: window.screen.width, height: window.screen.height },
          devicePixelRatio: window.devicePixelRatio || 1,
          cardWidthPx: cardPx,
          blindSpotPx,
        });
      } catch (err) {
        setError(err instanceof Error ? err.message : String(err));
        setPhase('blindspot');
      }
    },
    [cardPx, onDone, pxPerMm],
  );

  if (phase === 'card') {
    return (
      <StepFrame step="chinrest-card" title="Screen size">
        <p className="text-sm text-stone-700">
          Hold a bank card, ID card or any card of that standard size flat against the screen over the picture below, and move the slider until the
          picture is exactly as wide as your card.
        </p>
        <div className="flex h-72 items-center">
          <div
            data-testid="chinrest-card"
            className="border-2 border-stone-700 bg-gradient-to-br from-sky-200 to-sky-400"
            style={{ width: cardPx, height: (cardPx * CARD_HEIGHT_MM) / CARD_WIDTH_MM, borderRadius: 3.18 * pxPerMm }}
          />
        </div>
        <div className="flex items-center gap-3">
          <Button variant="secondary" onClick={() => setCardPx((v) => Math.max(150, v - 1))}>
            −
          </Button>
          <input
            type="range"
            min={150}
            max={800}
            step={0.5}
            value={cardPx}
            onChange={(e) => setCardPx(Number(e.target.value))}
            aria-label="Card size"
            data-testid="chinrest-slider"
            className="w-96"
          />
          <Button variant="secondary" onClick={() => setCardPx((v) => Math.min(800, v + 1))}>
            +
          </Button>
        </div>
        <Button onClick={() => setPhase('blindspot')} testId="chinrest-card-done">
          The picture matches my card
        </Button>
      </StepFrame>
    );
  }
  return <BlindSpot pxPerMm={pxPerMm} error={error} saving={phase === 'saving'} onMeasured={(px) => void finish(px)} />;
}

function BlindSpot({ pxPerMm, error, saving, onMeasured }: { pxPerMm: number; error: string | null; saving: boolean; onMeasured: (px: number) => void }) {
  const [running, setRunning] = useState(false);
  const [results, setResults] = useState<number[]>([]);
  const [distancePx, setDistancePx] = useState(DOT_START_MM * pxPerMm);
  const distanceRef = useRef(distancePx);
  const resultsRef = useRef<number[]>([]);
  // Held in a ref so that a new callback from a parent re-render does not restart a sweep.
  const onMeasuredRef = useRef(onMeasured);
  onMeasuredRef.current = onMeasured;
  const squareX = typeof window === 'undefined' ? 900 : window.innerWidth - 80;

  useEffect(() => {
    if (!running) return;
    const startPx = DOT_START_MM * pxPerMm;
    const speed = DOT_SPEED_MM_PER_S * pxPerMm;
    const t0 = performance.now();
    let frame = requestAnimationFrame(function step(now) {
      const d = startPx + ((now - t0) / 1000) * speed;
      distanceRef.current = d;
      setDistancePx(d);
      if (squareX - d < 10) {
        // Reached the edge without a key press: start the sweep again.
        setRunning(false);
        return;
      }
      frame = requestAnimationFrame(step);
    });
    const onKey = (e: KeyboardEvent) => {
      if (e.code !== 'Space') return;
      e.preventDefault();
      setRunning(false);
      const done = [...resultsRef.current, distanceRef.current];
      if (done.length === BLIND_SPOT_REPS) {
        resultsRef.current = [];
        setResults([]);
        onMeasuredRef.current(done.reduce((a, b) => a + b, 0) / done.length);
      } else {
        resultsRef.current = done;
        setResults(done);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener('keydown', onKey);
    };
  }, [running, pxPerMm, squareX]);

  return (
    <StepFrame step="chinrest-blindspot" title="Viewing distance">
      <p className="text-sm text-stone-700">
        Sit as you will during the study. Put your left hand on the space bar and cover your <strong>right</strong> eye with your right hand. With
        your left eye, keep looking at the black square. A red dot moves to the left; press <kbd>Space</kbd> the moment it disappears. This is
        repeated {BLIND_SPOT_REPS} times.
      </p>
      {error ? (
        <p className="text-sm text-red-700" data-testid="chinrest-error">
          {error}
        </p>
      ) : null}
      <p className="text-sm" data-testid="blindspot-progress">
        {results.length} of {BLIND_SPOT_REPS} done
      </p>
      <div className="relative h-24 w-full">
        <div className="fixed" style={{ left: squareX - 15, top: '55%', width: 30, height: 30, background: 'black' }} />
        {running ? (
          <div
            data-testid="blindspot-dot"
            data-distance-px={distancePx.toFixed(1)}
            className="fixed rounded-full"
            style={{ left: squareX - distancePx - 15, top: '55%', width: 30, height: 30, background: '#dc2626' }}
          />
        ) : null}
      </div>
      {!running ? (
        <Button onClick={() => setRunning(true)} disabled={saving} testId="blindspot-start">
          {saving ? 'Saving…' : results.length === 0 ? 'Start' : 'Next'}
        </Button>
      ) : null}
    </StepFrame>
  );
}
