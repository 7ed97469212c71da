/**
 * The risk curve of `dnsmc risk --sweep`: a measure (the probability that a
 * property breaks within the horizon, or the share of time it is false)
 * against a swept parameter, one series per variant, each with its
 * confidence band. As an SVG, and as an HTML page that works offline (the
 * SVG inline, a table of the figures, no script, nothing fetched).
 *
 * Series are told apart three ways: colour, line style (solid, dashed,
 * dotted...) and marker shape, each named in the legend.
 */

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
  readonly low: number;
  readonly high: number;
  /** Runs behind the point, and the breaks among them (shown in the page's table). */
  readonly runs: number;
  readonly broken: number;
}

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
}

export interface RiskChart {
  readonly title: string;
  readonly subtitle: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** `probability`: y from 0 to 1; `share`: y as a percentage, from 0 to the highest band edge. */
  readonly yKind: 'probability' | 'share';
  readonly series: readonly ChartSeries[];
}

const COLOURS = ['#c0392b', '#1f5fa8', '#2e8b57', '#8e44ad', '#d35400', '#555555'];
const DASHES = ['', '8 5', '2 4', '12 4 2 4', '4 2', '1 2'];
const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'circle', 'square'] as const;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : String(+x.toPrecision(4)));

/** About `n` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, n = 6): number[] {
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

function marker(kind: (typeof MARKERS)[number], x: number, y: number, colour: string): string {
  const r = 4;
  switch (kind) {
    case 'circle':
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r}" fill="${colour}"/>`;
    case 'square':
      return `<rect x="${(x - r).toFixed(1)}" y="${(y - r).toFixed(1)}" width="${2 * r}" height="${2 * r}" fill="${colour}"/>`;
    case 'triangle':
      return `<polygon points="${x.toFixed(1)},${(y - r - 1).toFixed(1)} ${(x - r - 1).toFixed(1)},${(y + r).toFixed(1)} ${(x + r + 1).toFixed(1)},${(y + r).toFixed(1)}" fill="${colour}"/>`;
    case 'diamond':
      return `<polygon points="${x.toFixed(1)},${(y - r - 1).toFixed(1)} ${(x + r + 1).toFixed(1)},${y.toFixed(1)} ${x.toFixed(1)},${(y + r + 1).toFixed(1)} ${(x - r - 1).toFixed(1)},${y.toFixed(1)}" fill="${colour}"/>`;
  }
}

/** The chart as a standalone SVG document. */
export function riskSvg(c: RiskChart): string {
  const W = 760;
  const H = 460;
  const left = 78;
  const right = 190;
  const top = 56;
  const bottom = 62;
  const pw = W - left - right;
  const ph = H - top - bottom;
  const xs = c.series.flatMap((s) => s.points.map((p) => p.x));
  let x0 = Math.min(...xs);
  let x1 = Math.max(...xs);
  if (!(x1 > x0)) {
    x0 -= 1;
    x1 += 1;
  }
  const share = c.yKind === 'share';
  const yMax = share ? Math.max(1e-6, ...c.series.flatMap((s) => s.points.map((p) => p.high))) : 1;
  const yTicks = ticks(0, yMax, 5);
  // The share axis ends on a tick at or above the highest band edge.
  const last = yTicks[yTicks.length - 1];
  if (share && last < yMax && yTicks.length > 1) yTicks.push(+(last + (last - yTicks[yTicks.length - 2])).toPrecision(12));
  const y1 = share ? Math.max(yMax, yTicks[yTicks.length - 1]) : 1;
  const X = (x: number): number => left + ((x - x0) / (x1 - x0)) * pw;
  const Y = (y: number): number => top + ph - (y / y1) * ph;
  const yText = (v: number): string => (share ? `${fmt(v * 100)}%` : fmt(v));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="${esc(c.title)}">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text class="title" x="${left}" y="22" font-size="15" font-weight="bold">${esc(c.title)}</text>`);
  out.push(`<text class="subtitle" x="${left}" y="40" fill="#444">${esc(c.subtitle)}</text>`);
  // Grid and axes.
  out.push('<g class="grid" stroke="#e3e3e3">');
  for (const v of yTicks) out.push(`<line x1="${left}" x2="${left + pw}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}"/>`);
  out.push('</g>');
  out.push(`<g class="axis x-axis"><line x1="${left}" x2="${left + pw}" y1="${top + ph}" y2="${top + ph}" stroke="#000"/>`);
  for (const v of ticks(x0, x1, 6)) {
    out.push(`<line x1="${X(v).toFixed(1)}" x2="${X(v).toFixed(1)}" y1="${top + ph}" y2="${top + ph + 5}" stroke="#000"/>`);
    out.push(`<text class="tick" x="${X(v).toFixed(1)}" y="${top + ph + 18}" text-anchor="middle">${fmt(v)}</text>`);
  }
  out.push(`<text class="axis-label" x="${left + pw / 2}" y="${H - 16}" text-anchor="middle" font-size="13">${esc(c.xLabel)}</text></g>`);
  out.push(`<g class="axis y-axis"><line x1="${left}" x2="${left}" y1="${top}" y2="${top + ph}" stroke="#000"/>`);
  for (const v of yTicks) {
    out.push(`<line x1="${left - 5}" x2="${left}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}" stroke="#000"/>`);
    out.push(`<text class="tick" x="${left - 8}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end">${yText(v)}</text>`);
  }
  out.push(`<text class="axis-label" transform="translate(20 ${top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="13">${esc(c.yLabel)}</text></g>`);
  // Bands first, under every line.
  c.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    if (pts.length === 0) return;
    const upper = pts.map((p) => `${X(p.x).toFixed(1)},${Y(p.high).toFixed(1)}`);
    const lower = pts.map((p) => `${X(p.x).toFixed(1)},${Y(p.low).toFixed(1)}`).reverse();
    const poly =
      pts.length === 1
        ? `${X(pts[0].x) - 4},${Y(pts[0].high)} ${X(pts[0].x) + 4},${Y(pts[0].high)} ${X(pts[0].x) + 4},${Y(pts[0].low)} ${X(pts[0].x) - 4},${Y(pts[0].low)}`
        : [...upper, ...lower].join(' ');
    out.push(
      `<polygon class="band" data-series="${esc(s.name)}" points="${poly}" fill="${colour}" fill-opacity="0.18" stroke="${colour}" stroke-opacity="0.35" stroke-width="0.5"/>`,
    );
  });
  c.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const dash = DASHES[i % DASHES.length];
    out.push(`<g class="series" data-series="${esc(s.name)}">`);
    out.push(
      `<polyline class="line" points="${pts.map((p) => `${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2.2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
    );
    for (const p of pts) out.push(marker(MARKERS[i % MARKERS.length], X(p.x), Y(p.y), colour));
    out.push('</g>');
  });
  // Legend.
  const lx = left + pw + 18;
  out.push(`<g class="legend"><text x="${lx}" y="${top + 4}" font-weight="bold">Legend</text>`);
  c.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const dash = DASHES[i % DASHES.length];
    const y = top + 26 + i * 40;
    out.push(`<g class="legend-entry" data-series="${esc(s.name)}">`);
    out.push(`<rect x="${lx}" y="${y - 9}" width="36" height="18" fill="${colour}" fill-opacity="0.18"/>`);
    out.push(`<line x1="${lx}" x2="${lx + 36}" y1="${y}" y2="${y}" stroke="${colour}" stroke-width="2.2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    out.push(marker(MARKERS[i % MARKERS.length], lx + 18, y, colour));
    out.push(`<text x="${lx + 44}" y="${y + 4}">${esc(s.name)}</text>`);
    out.push('</g>');
  });
  const note = top + 26 + c.series.length * 40;
  out.push(`<text x="${lx}" y="${note}" fill="#444">shaded: confidence band</text></g>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** The chart as a self-contained HTML page: the SVG inline and a table of the figures; no script, nothing fetched. */
export function riskHtml(c: RiskChart): string {
  const yText = (v: number): string => (c.yKind === 'share' ? `${(v * 100).toPrecision(3)}%` : v.toPrecision(3));
  const rows = c.series.flatMap((s) =>
    s.points.map(
      (p) =>
        `<tr><td>${esc(s.name)}</td><td>${fmt(p.x)}</td><td>${p.broken}/${p.runs}</td><td>${yText(p.y)}</td><td>${yText(p.low)} – ${yText(p.high)}</td></tr>`,
    ),
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(c.title)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #111; }
table { border-collapse: collapse; margin-top: 16px; }
td, th { border: 1px solid #ccc; padding: 3px 10px; text-align: right; }
td:first-child, th:first-child { text-align: left; white-space: nowrap; }
</style>
</head>
<body>
<main>
${riskSvg(c)}
<table class="figures">
<thead><tr><th>series</th><th>${esc(c.xLabel)}</th><th>broke</th><th>${esc(c.yLabel)}</th><th>interval</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</main>
</body>
</html>
`;
}
