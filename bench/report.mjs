// The run's output: Markdown tables (one per section) and a bar chart of the same ratios, drawn as SVG and
// converted to PNG with rsvg-convert (Debian's librsvg2-bin), so the chart needs no npm dependency.
import { spawnSync } from 'node:child_process';

/** A row: { name, w, d, dec, target?, met?, better: 'higher' | 'lower', goal?, chart? } where `w` is Wharf's
 *  figure, `d` the reference's, `dec` the decimals shown, `met` undefined when there is no target, `goal`
 *  the target as an advantage (see below) for the chart's marker, and `chart: false` keeps a detail row out
 *  of the chart. */
const fmt = (x, d) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a');

/** Sections as Markdown: `## title`, an optional note, then a table with the ratio Wharf / reference. */
export function markdown(sections) {
  const out = [];
  for (const { title, note, columns = ['Wharf', 'Distribution'], rows } of sections) {
    out.push(`## ${title}`, '');
    if (note) out.push(note, '');
    out.push(`| metric | ${columns[0]} | ${columns[1]} | ratio | target | met? |`, '| --- | ---: | ---: | ---: | --- | --- |');
    for (const r of rows) {
      const met = r.met === undefined ? '' : r.met ? 'yes' : '**no**';
      out.push(`| ${r.name} | ${fmt(r.w, r.dec)} | ${fmt(r.d, r.dec)} | ${fmt(r.w / r.d, 2)} | ${r.target ?? '—'} | ${met} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** How many times better Wharf is on a row: the ratio, inverted where lower is better. 1 = even. */
const advantage = (r) => (r.better === 'lower' ? r.d / r.w : r.w / r.d);

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar per row on a log axis centred on 1×: right of the line Wharf is ahead, left behind. */
export function chartSvg(sections, { title, subtitle }) {
  const rows = sections.flatMap((s) => s.rows.filter((r) => r.better && r.chart !== false && Number.isFinite(advantage(r)) && advantage(r) > 0)
    .map((r) => ({ ...r, section: s.title })));
  const LABEL = 520; const PLOT = 560; const ROW = 17; const TOP = 58 + subtitle.length * 13; const SECTION = 20;
  const heads = new Set(rows.map((r) => r.section)).size;
  const height = TOP + rows.length * ROW + heads * SECTION + 40;
  const width = LABEL + PLOT + 80;
  const ext = Math.max(8, ...rows.flatMap((r) => [advantage(r), 1 / advantage(r), r.goal ?? 1]));
  const span = Math.ceil(Math.log2(ext)); // axis from 2^-span to 2^span
  const x = (v) => LABEL + PLOT / 2 + (Math.log2(Math.min(Math.max(v, 2 ** -span), 2 ** span)) / span) * (PLOT / 2);
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">${esc(title)}</text>`,
    ...subtitle.map((line, i) => `<text x="10" y="${37 + i * 13}" font-size="9.5" fill="#444">${esc(line)}</text>`),
  ];
  let y = TOP;
  for (let p = -span; p <= span; p++) {
    const label = p >= 0 ? `${2 ** p}×` : `1/${2 ** -p}×`;
    svg.push(`<line x1="${x(2 ** p)}" y1="${TOP - 6}" x2="${x(2 ** p)}" y2="${height - 30}" stroke="${p ? '#ddd' : '#333'}"/>`,
      `<text x="${x(2 ** p)}" y="${height - 16}" text-anchor="middle" fill="#444">${label}</text>`);
  }
  svg.push(`<text x="${x(2 ** -span)}" y="${TOP - 10}" fill="#a33">← Distribution (or reference) better</text>`,
    `<text x="${x(2 ** span)}" y="${TOP - 10}" text-anchor="end" fill="#262">Wharf better →</text>`);
  let section;
  for (const r of rows) {
    if (r.section !== section) {
      section = r.section;
      svg.push(`<text x="10" y="${y + 14}" font-weight="bold">${esc(section)}</text>`);
      y += SECTION;
    }
    const a = advantage(r);
    const [x0, x1] = [x(1), x(a)].sort((p, q) => p - q);
    const color = r.met === false ? '#d9534f' : a >= 1 ? '#5cb85c' : '#f0ad4e';
    svg.push(`<text x="${LABEL - 8}" y="${y + 12}" text-anchor="end">${esc(r.name)}</text>`,
      `<rect x="${x0}" y="${y + 3}" width="${Math.max(1, x1 - x0)}" height="${ROW - 6}" fill="${color}"/>`,
      // Right of the bar when Wharf is ahead, right of the 1× line (clear of the bar) when behind.
      `<text x="${(a >= 1 ? x1 : x(1)) + 4}" y="${y + 12}" fill="#222">${a.toFixed(2)}×</text>`);
    if (r.goal) svg.push(`<line x1="${x(r.goal)}" y1="${y + 1}" x2="${x(r.goal)}" y2="${y + ROW - 1}" stroke="black" stroke-width="2"/>`);
    y += ROW;
  }
  svg.push('</svg>');
  return svg.join('\n');
}

/** Writes the chart as PNG to `png`. Returns false, with a warning on stderr, when rsvg-convert is missing
 *  or fails: the tables are what matters. */
export function writeChart(sections, png, meta) {
  const r = spawnSync('rsvg-convert', ['-o', png], { input: chartSvg(sections, meta), stdio: ['pipe', 'inherit', 'inherit'] });
  if (r.error || r.status !== 0) {
    console.error(`[bench] no PNG chart: rsvg-convert ${r.error ? 'is missing (apt-get install librsvg2-bin)' : `failed (exit ${r.status})`}`);
    return false;
  }
  return true;
}
