import { curvePaths } from '@/lib/plots/svg';

const W = 320;
const H = 220;
const BOX = { x: 40, y: 12, width: 264, height: 170 };
const INSERTION = 'rgb(31,119,180)';
const DELETION = 'rgb(255,127,14)';

export interface CurveChartProps {
  readonly insertion?: { curve: number[]; auc: number };
  readonly deletion?: { curve: number[]; auc: number };
  readonly title?: string;
}

/** Insertion and deletion curves (RISE / Lab-6 layout): probability vs fraction of pixels changed. */
export function CurveChart({ insertion, deletion, title }: CurveChartProps) {
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const series = [
    { name: 'insertion', data: insertion, colour: INSERTION },
    { name: 'deletion', data: deletion, colour: DELETION },
  ].filter((s) => s.data && s.data.curve.length > 1);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={title ?? 'Insertion and deletion curves'} data-testid="curve-chart" className="max-w-full">
      {ticks.map((t) => (
        <g key={t}>
          <line x1={BOX.x} x2={BOX.x + BOX.width} y1={BOX.y + (1 - t) * BOX.height} y2={BOX.y + (1 - t) * BOX.height} stroke="#ddd" />
          <text x={BOX.x - 4} y={BOX.y + (1 - t) * BOX.height + 4} fontSize={10} textAnchor="end">{t}</text>
          <text x={BOX.x + t * BOX.width} y={BOX.y + BOX.height + 14} fontSize={10} textAnchor="middle">{t}</text>
        </g>
      ))}
      <rect x={BOX.x} y={BOX.y} width={BOX.width} height={BOX.height} fill="none" stroke="#000" />
      {series.map((s) => {
        const p = curvePaths(s.data?.curve ?? [], BOX);
        return (
          <g key={s.name} data-testid={`curve-${s.name}`}>
            <path d={p.area} fill={s.colour} fillOpacity={0.2} />
            <path d={p.line} fill="none" stroke={s.colour} strokeWidth={2} />
          </g>
        );
      })}
      <text x={BOX.x + BOX.width / 2} y={H - 4} fontSize={10} textAnchor="middle">fraction of pixels inserted / deleted</text>
      {series.map((s, i) => (
        <text key={s.name} x={BOX.x + BOX.width - 4} y={BOX.y + 14 + 14 * i} fontSize={11} textAnchor="end" fill={s.colour}>
          {s.name} AUC {s.data?.auc.toFixed(3)}
        </text>
      ))}
    </svg>
  );
}
