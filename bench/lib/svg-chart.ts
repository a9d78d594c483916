/**
 * A small SVG line chart with logarithmic axes, for latency against load (no plotting dependency: the bench
 * writes a few lines and a legend).
 */
export interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: { x: number; y: number }[];
}

export interface LineChart {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  /** Values of x to label (the client counts measured). */
  xTicks: number[];
  formatY?: (y: number) => string;
  series: Series[];
}

const WIDTH = 820;
const HEIGHT = 460;
const PLOT = { left: 78, right: 590, top: 62, bottom: 392 };

export function lineChartSvg(chart: LineChart): string {
  const points = chart.series.flatMap((s) => s.points).filter((p) => p.x > 0 && p.y > 0 && Number.isFinite(p.y));
  const ys = points.length > 0 ? points.map((p) => p.y) : [1, 10];
  const yTicks = niceLogTicks(Math.min(...ys), Math.max(...ys));
  const [xMin, xMax] = [Math.min(...chart.xTicks), Math.max(...chart.xTicks)];
  const pad = (Math.log10(xMax) - Math.log10(xMin || 1)) * 0.06 || 0.1;
  const x = logScale(Math.log10(xMin) - pad, Math.log10(xMax) + pad, PLOT.left, PLOT.right);
  const y = logScale(Math.log10(yTicks[0]), Math.log10(yTicks[yTicks.length - 1]), PLOT.bottom, PLOT.top);
  const formatY = chart.formatY ?? ((v: number) => `${v} ms`);

  const grid = [
    ...yTicks.map((t) => `<line x1="${PLOT.left}" y1="${y(t)}" x2="${PLOT.right}" y2="${y(t)}" class="grid"/>` +
      `<text x="${PLOT.left - 8}" y="${y(t) + 4}" text-anchor="end">${escape(formatY(t))}</text>`),
    ...chart.xTicks.map((t) => `<line x1="${x(t)}" y1="${PLOT.top}" x2="${x(t)}" y2="${PLOT.bottom}" class="grid"/>` +
      `<text x="${x(t)}" y="${PLOT.bottom + 18}" text-anchor="middle">${t}</text>`),
  ];
  const lines = chart.series.map((s) => {
    const pts = s.points.filter((p) => p.x > 0 && p.y > 0 && Number.isFinite(p.y));
    const path = pts.map((p) => `${x(p.x)},${y(p.y)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="7 5"' : '';
    const marks = pts.map((p) => `<circle cx="${x(p.x)}" cy="${y(p.y)}" r="3.5" fill="${s.color}"><title>${escape(`${s.label}: ${formatY(Number(p.y.toPrecision(3)))} at ${p.x}`)}</title></circle>`);
    return `<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2.2"${dash}/>${marks.join('')}`;
  });
  const legend = chart.series.map((s, i) => {
    const ly = PLOT.top + 10 + i * 24;
    const dash = s.dashed ? ' stroke-dasharray="7 5"' : '';
    return `<line x1="${PLOT.right + 22}" y1="${ly}" x2="${PLOT.right + 58}" y2="${ly}" stroke="${s.color}" stroke-width="2.2"${dash}/>` +
      `<circle cx="${PLOT.right + 40}" cy="${ly}" r="3.5" fill="${s.color}"/>` +
      `<text x="${PLOT.right + 66}" y="${ly + 4}">${escape(s.label)}</text>`;
  });

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    '<style>.grid{stroke:#e3e3e3;stroke-width:1}.axis{stroke:#555;stroke-width:1.2}text{fill:#222}.sub{fill:#555}</style>',
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${PLOT.left}" y="26" font-size="16" font-weight="bold">${escape(chart.title)}</text>`,
    chart.subtitle ? `<text x="${PLOT.left}" y="46" class="sub">${escape(chart.subtitle)}</text>` : '',
    ...grid,
    `<line x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}" class="axis"/>`,
    `<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.bottom}" class="axis"/>`,
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 44}" text-anchor="middle">${escape(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`,
    ...lines,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}

/** Maps [lo, hi] (log10 units) to pixels [from, to]; returns a function of the value itself. */
function logScale(lo: number, hi: number, from: number, to: number): (v: number) => number {
  return (v) => Math.round((from + ((Math.log10(v) - lo) / (hi - lo || 1)) * (to - from)) * 10) / 10;
}

/** The 1-2-5 steps from the largest at or below `min` to the smallest at or above `max`. */
export function niceLogTicks(min: number, max: number): number[] {
  const steps: number[] = [];
  for (let d = Math.floor(Math.log10(min)) - 1; d <= Math.ceil(Math.log10(max)) + 1; d++) {
    for (const m of [1, 2, 5]) steps.push(Number((m * 10 ** d).toPrecision(3)));
  }
  const lo = steps.filter((t) => t <= min).pop() ?? steps[0];
  const hi = steps.find((t) => t >= max) ?? steps[steps.length - 1];
  return steps.filter((t) => t >= lo && t <= hi);
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
