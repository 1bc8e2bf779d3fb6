// The SVG chart of one run: per workload, server CPU per message and
// throughput (median bar, min–max whisker), and a panel of ET ÷ LT ratios.
import type { Spread, Summary } from './analyze.js';
import { fmt } from './format.js';
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

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const LABEL_W = 150;
const BAR_AREA = 250;
const CELL_W = LABEL_W + BAR_AREA + 40;
const BAR_H = 11;
const GAP = 3;

function barCell(
  x0: number,
  y0: number,
  title: string,
  rows: Array<{ label: string; color: string; faded: boolean; v: Spread; flag?: boolean }>,
  unit: string,
): string {
  const parts: string[] = [`<text x="${x0}" y="${y0 + 12}" font-weight="bold">${esc(title)}</text>`];
  const max = Math.max(...rows.map((r) => (Number.isFinite(r.v.max) ? r.v.max : 0)), 1e-12);
  rows.forEach((r, i) => {
    const y = y0 + 20 + i * (BAR_H + GAP);
    const w = Number.isFinite(r.v.median) ? (r.v.median / max) * BAR_AREA : 0;
    parts.push(`<text x="${x0 + LABEL_W - 4}" y="${y + BAR_H - 2}" text-anchor="end">${esc(r.label)}</text>`);
    parts.push(`<rect x="${x0 + LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${r.color}" fill-opacity="${r.faded ? 0.55 : 1}"/>`);
    if (r.v.n > 1 && Number.isFinite(r.v.min)) {
      const a = x0 + LABEL_W + (r.v.min / max) * BAR_AREA;
      const b = x0 + LABEL_W + (r.v.max / max) * BAR_AREA;
      parts.push(`<line x1="${a.toFixed(1)}" x2="${b.toFixed(1)}" y1="${y + BAR_H / 2}" y2="${y + BAR_H / 2}" stroke="#222" stroke-width="1"/>`);
    }
    parts.push(
      `<text x="${(x0 + LABEL_W + w + 3).toFixed(1)}" y="${y + BAR_H - 2}" fill="#333">${esc(fmt(r.v.median))}${r.flag ? ' ⚑' : ''}</text>`,
    );
  });
  parts.push(`<text x="${x0 + LABEL_W}" y="${y0 + 20 + rows.length * (BAR_H + GAP) + 10}" fill="#666">${esc(unit)}</text>`);
  return parts.join('\n');
}

export function svgChart(r: Results): string {
  const label = (id: string) => r.servers.find((s) => s.id === id)?.label ?? id;
  const family = (id: string) => r.servers.find((s) => s.id === id)?.family ?? 'c';
  const faded = (id: string) => /-(et|onread)$/.test(id);
  const order = r.servers.map((s) => s.id);
  const parts: string[] = [];
  let y = 40;
  for (const w of r.workloads) {
    const rows = r.summaries
      .filter((s) => s.workload === w.id && s.rounds > 0)
      .sort((a, b) => order.indexOf(a.server) - order.indexOf(b.server));
    if (!rows.length) continue;
    const mk = (f: (s: Summary) => Spread, flag: boolean) =>
      rows.map((s) => ({ label: label(s.server), color: COLORS[family(s.server)] ?? '#888', faded: faded(s.server), v: f(s), flag: flag && s.notSaturated }));
    const stream = w.mode === 'stream';
    const scale = (s: Spread, k: number): Spread => ({ ...s, median: s.median / k, min: s.min / k, max: s.max / k });
    parts.push(barCell(10, y, `${w.label}: server CPU per ${w.unit}`, mk((s) => s.cpuPerMsgNs, false), 'ns, lower is better'));
    parts.push(
      barCell(
        10 + CELL_W,
        y,
        `${w.label}: throughput`,
        mk((s) => (stream ? scale(s.bytesPerS, 1e9) : s.msgsPerS), true),
        stream ? 'GB/s echoed, higher is better (⚑ server below 90 % CPU)' : `${w.unit}s/s, higher is better (⚑ server below 90 % CPU)`,
      ),
    );
    y += 20 + rows.length * (BAR_H + GAP) + 30;
  }
  const etlt = r.ratios.filter((x) => x.kind === 'et/lt' && x.metric === 'cpuPerMsgNs');
  if (etlt.length) {
    parts.push(`<text x="10" y="${y + 12}" font-weight="bold">ET ÷ LT, server CPU per message (below 1: ET cheaper)</text>`);
    y += 22;
    const x0 = 10 + LABEL_W + 60;
    const width = 2 * CELL_W - LABEL_W - 100;
    const maxR = Math.max(1.5, ...etlt.map((x) => x.value.max));
    const px = (v: number) => x0 + (v / maxR) * width;
    etlt.forEach((x, i) => {
      const yy = y + i * (BAR_H + GAP);
      const fam = x.numerator.replace(/-et$/, '');
      parts.push(`<text x="${x0 - 4}" y="${yy + BAR_H - 2}" text-anchor="end">${esc(`${x.workload}: ${fam}`)}</text>`);
      parts.push(`<rect x="${x0}" y="${yy}" width="${(px(x.value.median) - x0).toFixed(1)}" height="${BAR_H}" fill="${COLORS[fam] ?? '#888'}"/>`);
      if (x.value.n > 1)
        parts.push(`<line x1="${px(x.value.min).toFixed(1)}" x2="${px(x.value.max).toFixed(1)}" y1="${yy + BAR_H / 2}" y2="${yy + BAR_H / 2}" stroke="#222"/>`);
      parts.push(`<text x="${(px(x.value.median) + 3).toFixed(1)}" y="${yy + BAR_H - 2}">${x.value.median.toFixed(2)}x</text>`);
    });
    const h = etlt.length * (BAR_H + GAP);
    parts.push(`<line x1="${px(1).toFixed(1)}" x2="${px(1).toFixed(1)}" y1="${y - 4}" y2="${y + h}" stroke="#000" stroke-dasharray="3,2"/>`);
    y += h + 20;
  }
  const lab = r.lab && !('skipped' in r.lab) ? r.lab : null;
  if (lab) {
    parts.push(`<text x="10" y="${y + 12}" font-weight="bold">Lab: ET ÷ LT (C server), CPU per message and system calls per message</text>`);
    y += 22;
    for (const s of lab.scenarios) {
      const lt = s.modes.find((m) => m.mode === 'lt');
      const et = s.modes.find((m) => m.mode === 'et');
      if (!lt || !et) continue;
      const cpu = et.cpuPerMsgNs / lt.cpuPerMsgNs;
      const calls = et.totalPerMsg / lt.totalPerMsg;
      parts.push(
        `<text x="10" y="${y + BAR_H - 2}">${esc(`${s.id}: CPU ${Number.isFinite(cpu) ? cpu.toFixed(2) + 'x' : '–'}, system calls ${Number.isFinite(calls) ? calls.toFixed(2) + 'x' : '–'} (LT ${fmt(lt.totalPerMsg)}, ET ${fmt(et.totalPerMsg)} per message)`)}</text>`,
      );
      y += BAR_H + GAP + 4;
    }
    y += 10;
  }
  const width = 2 * CELL_W + 20;
  const head = `<text x="10" y="20" font-size="14" font-weight="bold">${esc(
    `posix-sockets echo benchmark, ${r.startedAt} — ${r.machine.cpuModel}, ${r.machine.cores} cores, Node ${r.machine.node}`,
  )}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" viewBox="0 0 ${width} ${y + 10}" font-family="sans-serif" font-size="10">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    head,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
