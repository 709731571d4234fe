import { histogram } from '@/lib/plots/svg';

const W = 220;
const H = 120;
const BOX = { x: 6, y: 6, width: 208, height: 88 };

/** Distribution of one metric over images (Sturges bins), with min, mean and max below. */
export function HistogramChart({ label, values }: { label: string; values: readonly number[] }) {
  const bins = histogram(values);
  const top = Math.max(1, ...bins.map((b) => b.count));
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
  return (
    <figure className="rounded border border-stone-200 bg-white p-2" data-testid="metric-histogram">
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={`${label} distribution`}>
        {bins.map((b, i) => {
          const w = BOX.width / bins.length;
          const h = (b.count / top) * BOX.height;
          return (
            <rect key={i} x={BOX.x + i * w + 1} y={BOX.y + BOX.height - h} width={Math.max(1, w - 2)} height={h} fill="rgb(31,119,180)">
              <title>{`${b.lower.toFixed(3)} – ${b.upper.toFixed(3)}: ${b.count}`}</title>
            </rect>
          );
        })}
        <line x1={BOX.x} x2={BOX.x + BOX.width} y1={BOX.y + BOX.height} y2={BOX.y + BOX.height} stroke="#000" />
        {bins.length > 0 ? (
          <>
            <text x={BOX.x} y={H - 8} fontSize={10}>{bins[0]?.lower.toFixed(2)}</text>
            <text x={BOX.x + BOX.width} y={H - 8} fontSize={10} textAnchor="end">{bins.at(-1)?.upper.toFixed(2)}</text>
          </>
        ) : null}
      </svg>
      <figcaption className="text-xs text-stone-700">
        {label}: n = {values.length}
        {values.length ? `, mean ${mean.toFixed(3)}` : ''}
      </figcaption>
    </figure>
  );
}
