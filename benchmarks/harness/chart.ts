// The detail sheet of one run, latest-detail.svg: per workload, server CPU
// per message and throughput (median bar, min–max whisker), then ET ÷ LT
// and the lab. Each workload's title has a line of its own across the sheet,
// so that no title can run into the next column's.
import { SATURATED, type Spread, type Summary } from './analyze.js';
import { fmt } from './format.js';
import { runTitle } from './headline-chart.js';
import { fit, lines, svgDocument, text, textWidth, wrap } from './svg.js';
import type { Results } from './results.js';

const COLORS: Record<string, string> = {
  c: '#4c78a8',
  'c-mt': '#9ecae9',
  'addon-blocking': '#f58518',
  'addon-loop': '#e45756',
  node: '#54a24b',
  'c-poll': '#72b7b2',
  'addon-poll': '#b279a2',
};

const WIDTH = 900;
const LEFT = 10;
const LABEL_W = 140;
const BAR_AREA = 200;
const CELL_W = (WIDTH - 2 * LEFT) / 2;
const BAR_H = 11;
const GAP = 3;
const SIZE = 10;

interface Row {
  label: string;
  color: string;
  faded: boolean;
  v: Spread;
  flag?: boolean;
}

/** One column of bars: a header line, then a bar per server; returns the y below it. */
function barCell(out: string[], x0: number, y0: number, header: string, rows: Row[]): number {
  out.push(text(x0, y0 + SIZE, fit(header, SIZE, CELL_W - 10, true), { size: SIZE, bold: true, fill: '#333' }));
  // Scaled to the longest whisker, so that a whisker and its label stay inside the cell.
  const max = Math.max(...rows.map((r) => (Number.isFinite(r.v.max) ? r.v.max : 0)), 1e-12);
  const px = (v: number) => x0 + LABEL_W + (v / max) * BAR_AREA;
  rows.forEach((r, i) => {
    const y = y0 + 16 + i * (BAR_H + GAP);
    const w = Number.isFinite(r.v.median) ? px(r.v.median) - px(0) : 0;
    out.push(text(x0 + LABEL_W - 4, y + BAR_H - 2, fit(r.label, SIZE, LABEL_W - 8), { size: SIZE, anchor: 'end' }));
    out.push(`<rect x="${px(0).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${r.color}" fill-opacity="${r.faded ? 0.55 : 1}"/>`);
    let end = px(0) + w;
    if (r.v.n > 1 && Number.isFinite(r.v.min)) {
      const mid = y + BAR_H / 2;
      out.push(`<line x1="${px(r.v.min).toFixed(1)}" x2="${px(r.v.max).toFixed(1)}" y1="${mid}" y2="${mid}" stroke="#222" stroke-width="1"/>`);
      end = Math.max(end, px(r.v.max));
    }
    out.push(text(end + 3, y + BAR_H - 2, `${fmt(r.v.median)}${r.flag ? ' ⚑' : ''}`, { size: SIZE, fill: '#333' }));
  });
  return y0 + 16 + rows.length * (BAR_H + GAP);
}

function workloadSheets(r: Results, out: string[], y: number): number {
  const label = (id: string) => r.servers.find((s) => s.id === id)?.label ?? id;
  const family = (id: string) => r.servers.find((s) => s.id === id)?.family ?? 'c';
  const order = r.servers.map((s) => s.id);
  for (const w of r.workloads) {
    const rows = r.summaries.filter((s) => s.workload === w.id && s.rounds > 0).sort((a, b) => order.indexOf(a.server) - order.indexOf(b.server));
    if (!rows.length) continue;
    const mk = (f: (s: Summary) => Spread, flag: boolean): Row[] =>
      rows.map((s) => ({ label: label(s.server), color: COLORS[family(s.server)] ?? '#888', faded: /-(et|onread)$/.test(s.server), v: f(s), flag: flag && s.notSaturated }));
    const stream = w.mode === 'stream';
    const scale = (s: Spread, k: number): Spread => ({ ...s, median: s.median / k, min: s.min / k, max: s.max / k });
    const heading = lines(LEFT, y, [fit(w.label, 12, WIDTH - 2 * LEFT, true)], { size: 12, bold: true });
    out.push(...heading.svg);
    const top = heading.y + 2;
    const a = barCell(out, LEFT, top, `server CPU per ${w.unit}, ns (lower is better)`, mk((s) => s.cpuPerMsgNs, false));
    const unit = stream ? 'GB/s echoed' : `${w.mode === 'churn' ? 'connections' : 'messages'}/s`;
    const b = barCell(out, LEFT + CELL_W, top, `throughput, ${unit} (higher is better)`, mk((s) => (stream ? scale(s.bytesPerS, 1e9) : s.msgsPerS), true));
    y = Math.max(a, b) + 14;
  }
  return y;
}

function etLtPanel(r: Results, out: string[], y: number): number {
  const etlt = r.ratios.filter((x) => x.kind === 'et/lt' && x.metric === 'cpuPerMsgNs');
  if (!etlt.length) return y;
  const head = lines(LEFT, y, ['ET ÷ LT, server CPU per message (below 1: ET cheaper)'], { size: 12, bold: true });
  out.push(...head.svg);
  y = head.y + 4;
  const names = etlt.map((x) => `${x.workload}: ${x.numerator.replace(/-et$/, '')}`);
  const x0 = LEFT + Math.ceil(Math.max(...names.map((n) => textWidth(n, SIZE)))) + 8;
  const width = WIDTH - x0 - 60;
  const maxR = Math.max(1.5, ...etlt.map((x) => x.value.max));
  const px = (v: number) => x0 + (v / maxR) * width;
  etlt.forEach((x, i) => {
    const yy = y + i * (BAR_H + GAP);
    const fam = x.numerator.replace(/-et$/, '');
    out.push(text(x0 - 4, yy + BAR_H - 2, names[i], { size: SIZE, anchor: 'end' }));
    out.push(`<rect x="${x0}" y="${yy}" width="${(px(x.value.median) - x0).toFixed(1)}" height="${BAR_H}" fill="${COLORS[fam] ?? '#888'}"/>`);
    let end = px(x.value.median);
    if (x.value.n > 1) {
      out.push(`<line x1="${px(x.value.min).toFixed(1)}" x2="${px(x.value.max).toFixed(1)}" y1="${yy + BAR_H / 2}" y2="${yy + BAR_H / 2}" stroke="#222"/>`);
      end = Math.max(end, px(x.value.max));
    }
    out.push(text(end + 3, yy + BAR_H - 2, `${x.value.median.toFixed(2)}x`, { size: SIZE }));
  });
  const h = etlt.length * (BAR_H + GAP);
  out.push(`<line x1="${px(1).toFixed(1)}" x2="${px(1).toFixed(1)}" y1="${y - 4}" y2="${y + h}" stroke="#000" stroke-dasharray="3,2"/>`);
  return y + h + 16;
}

function labLines(r: Results, out: string[], y: number): number {
  const lab = r.lab && !('skipped' in r.lab) ? r.lab : null;
  if (!lab) return y;
  const head = lines(LEFT, y, ['Lab: ET ÷ LT (C server), CPU per message and system calls per message; the C io_uring server beside them'], { size: 12, bold: true });
  out.push(...head.svg);
  y = head.y + 2;
  const ratioText = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}x` : '–');
  for (const s of lab.scenarios) {
    const lt = s.modes.find((m) => m.mode === 'lt');
    const et = s.modes.find((m) => m.mode === 'et');
    if (!lt || !et) continue;
    const u = s.modes.find((m) => m.mode === 'uring');
    const uring = u ? `; io_uring ÷ LT: CPU ${ratioText(u.cpuPerMsgNs / lt.cpuPerMsgNs)}, ${fmt(u.totalPerMsg)} system calls per message` : '';
    const line = `${s.id}: CPU ${ratioText(et.cpuPerMsgNs / lt.cpuPerMsgNs)}, system calls ${ratioText(et.totalPerMsg / lt.totalPerMsg)} (LT ${fmt(lt.totalPerMsg)}, ET ${fmt(et.totalPerMsg)} per message)${uring}`;
    const l = lines(LEFT, y, wrap(line, SIZE, WIDTH - 2 * LEFT), { size: SIZE });
    out.push(...l.svg);
    y = l.y + 3;
  }
  return y + 6;
}

export function detailChart(r: Results): string {
  const out: string[] = [];
  const m = r.machine;
  const title = lines(LEFT, 6, wrap(`posix-sockets echo benchmark, details — ${runTitle(r)}`, 15, WIDTH - 2 * LEFT, true), { size: 15, bold: true });
  out.push(...title.svg);
  const about = lines(
    LEFT,
    title.y,
    wrap(
      `${r.startedAt} · ${m.cpuModel}, ${m.cores} cores · Node ${m.node}. Bars: medians over rounds; whiskers: min–max. ` +
        `⚑: the server was below ${Math.round(SATURATED * 100)} % of one core, so something else (usually the load generator) set the pace; compare CPU per message there.`,
      SIZE + 1,
      WIDTH - 2 * LEFT,
    ),
    { size: SIZE + 1, fill: '#333' },
  );
  out.push(...about.svg);
  let y = about.y + 10;
  y = workloadSheets(r, out, y);
  y = etLtPanel(r, out, y);
  y = labLines(r, out, y);
  return svgDocument(WIDTH, y + 4, out);
}
