import { Empty } from 'antd';

export interface Bar { key: string; label: string; value: number; color?: string }

/**
 * A horizontal bar chart in plain SVG: the dashboard's few small series do not justify a charting library's
 * weight in the bundle.
 */
export function BarChart({ bars, testId, emptyText }: { bars: Bar[]; testId?: string; emptyText?: string }) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  if (bars.length === 0 || max === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={emptyText} data-testid={testId} />;
  const row = 26;
  const labelWidth = 150;
  const width = 520;
  const barSpace = width - labelWidth - 50;
  return (
    <svg data-testid={testId} viewBox={`0 0 ${width} ${bars.length * row + 4}`} width="100%" role="img" style={{ maxWidth: width, display: 'block' }}>
      {bars.map((b, i) => {
        const w = max === 0 ? 0 : Math.max(b.value > 0 ? 2 : 0, (b.value / max) * barSpace);
        const y = i * row + 2;
        return (
          <g key={b.key} data-key={b.key} data-value={b.value}>
            <text x={labelWidth - 8} y={y + row / 2 + 4} textAnchor="end" fontSize="12" fill="#555">
              {b.label}
            </text>
            <rect x={labelWidth} y={y + 4} width={w} height={row - 8} rx="3" fill={b.color ?? '#1677ff'} />
            <text x={labelWidth + w + 6} y={y + row / 2 + 4} fontSize="12" fill="#333">
              {b.value}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
