import type { DatasetConsistency } from '@/lib/ground-truth/consistency';

const W = 320;
const H = 180;
const BOX = { x: 40, y: 10, width: 264, height: 130 };

/** Human consistency of the dataset: the ceiling figures and the convergence curve (CC vs n). */
export function ConsistencySummary({ consistency, modality }: { consistency: DatasetConsistency | null; modality: string }) {
  if (!consistency || consistency.images === 0) {
    return <p className="text-sm text-stone-600">Human consistency: not computed yet for {modality} ground truth (needs ≥ 2 observers per image).</p>;
  }
  const { loo, splitHalf, curve, observersNeeded: need } = consistency;
  const maxN = Math.max(1, ...curve.map((p) => p.n));
  const px = (n: number) => BOX.x + ((n - 1) / Math.max(1, maxN - 1)) * BOX.width;
  const py = (v: number) => BOX.y + (1 - Math.max(0, Math.min(1, v))) * BOX.height;
  const path = curve.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.n).toFixed(1)},${py(p.cc).toFixed(1)}`).join('');
  return (
    <section className="space-y-2" aria-labelledby="consistency-heading" data-testid="consistency">
      <h2 id="consistency-heading" className="text-lg font-semibold">Human consistency ({modality})</h2>
      <p className="text-sm text-stone-700">
        Over {consistency.images} images: leave-one-observer-out CC {loo?.cc.toFixed(3)} and NSS {loo?.nss.toFixed(3)}; split-half CC {splitHalf?.cc.toFixed(3)} and NSS{' '}
        {splitHalf?.nss.toFixed(3)}. Observers needed for CC ≥ {need.target}:{' '}
        <strong data-testid="observers-needed">
          {need.n === null ? 'cannot be estimated' : need.n}
          {need.extrapolated ? ` (extrapolated with Spearman–Brown from single-observer CC ${need.singleObserverCc?.toFixed(3)}; not reached by the data)` : need.reached ? ' (reached)' : ''}
        </strong>
        .
      </p>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label="Convergence curve: CC between two disjoint groups of n observers">
        <rect x={BOX.x} y={BOX.y} width={BOX.width} height={BOX.height} fill="none" stroke="#000" />
        <line x1={BOX.x} x2={BOX.x + BOX.width} y1={py(need.target)} y2={py(need.target)} stroke="#c00" strokeDasharray="4 3" />
        {[0, 0.5, 1].map((t) => <text key={t} x={BOX.x - 4} y={py(t) + 4} fontSize={10} textAnchor="end">{t}</text>)}
        {curve.map((p) => <text key={p.n} x={px(p.n)} y={BOX.y + BOX.height + 14} fontSize={10} textAnchor="middle">{p.n}</text>)}
        <path d={path} fill="none" stroke="rgb(31,119,180)" strokeWidth={2} />
        {curve.map((p) => <circle key={p.n} cx={px(p.n)} cy={py(p.cc)} r={3} fill="rgb(31,119,180)"><title>{`n = ${p.n}: CC ${p.cc.toFixed(3)} (${p.images} images)`}</title></circle>)}
        <text x={BOX.x + BOX.width / 2} y={H - 2} fontSize={10} textAnchor="middle">observers per group (n)</text>
      </svg>
    </section>
  );
}
