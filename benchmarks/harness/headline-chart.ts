// The headline chart, latest.svg: per server, server CPU per message ÷ its C
// counterpart at the three busy ping-pong workloads, bars from zero at the
// median of the per-round ratios, whiskers from the lowest to the highest
// round; the title says the run's mode and its number of rounds.
import { HEADLINE_WORKLOADS, type HeadlineBar } from './headline.js';
import { lines, svgDocument, text, textWidth, wrap } from './svg.js';
import type { Results } from './results.js';

const WIDTH = 900;
const LEFT = 12;
const LABEL_RIGHT = 250;
const PLOT_X = LABEL_RIGHT + 10;
const PLOT_W = 540;
const BAR_H = 9;
const BAR_GAP = 2;
const GROUP_GAP = 9;
const WORKLOAD_COLORS: Record<(typeof HEADLINE_WORKLOADS)[number], string> = {
  'pp-100x64': '#4c78a8',
  'pp-1000x64': '#f58518',
  'pp-100x16k': '#54a24b',
};

/** "full run, 3 rounds" — what the title and the terminal say about the run. */
export function runTitle(r: Pick<Results, 'mode' | 'rounds'>): string {
  return `${r.mode} run, ${r.rounds} round${r.rounds === 1 ? '' : 's'}`;
}

/** The axis end: the widest whisker, at least 1.5, rounded up to a half. */
function axisMax(bars: HeadlineBar[]): number {
  const top = Math.max(1.5, ...bars.map((b) => (Number.isFinite(b.value.max) ? b.value.max : b.value.median)).filter(Number.isFinite));
  return Math.ceil(top * 2) / 2;
}

export function headlineChart(r: Results): string {
  const label = (id: string) => r.servers.find((s) => s.id === id)?.label ?? id;
  const body: string[] = [];
  const workloadLabel = (id: string) => r.workloads.find((w) => w.id === id)?.label ?? id;
  const title = lines(LEFT, 8, [`posix-sockets: server CPU per message, relative to C — ${runTitle(r)}`], { size: 15, bold: true });
  body.push(...title.svg);
  const spreadNote =
    r.rounds > 1 ? `whiskers: lowest to highest of ${r.rounds} rounds` : 'one round, so no spread: run without --quick for whiskers';
  const sub = lines(
    LEFT,
    title.y + 2,
    wrap(`Bars: median of the per-round ratios, from zero; ${spreadNote}. 1.00 is the C server; lower is better.`, 11, WIDTH - 2 * LEFT),
    { size: 11, fill: '#333' },
  );
  body.push(...sub.svg);
  const m = r.machine;
  const machine = lines(LEFT, sub.y, wrap(`${r.startedAt} · ${m.cpuModel}, ${m.cores} cores · ${m.kernel} · Node ${m.node}`, 10, WIDTH - 2 * LEFT), {
    size: 10,
    fill: '#666',
  });
  body.push(...machine.svg);

  // Legend: one swatch per workload, laid out left to right by measured width.
  let y = machine.y + 8;
  let x = PLOT_X;
  for (const w of HEADLINE_WORKLOADS) {
    const t = workloadLabel(w);
    body.push(`<rect x="${x}" y="${y}" width="10" height="10" fill="${WORKLOAD_COLORS[w]}"/>`);
    body.push(text(x + 14, y + 9, t, { size: 10 }));
    x += 14 + textWidth(t, 10) + 18;
  }
  y += 22;

  const bars = r.headline ?? [];
  const max = axisMax(bars);
  const px = (v: number) => PLOT_X + (v / max) * PLOT_W;
  const servers = [...new Set(bars.map((b) => b.server))];
  const plotTop = y;
  // Where the 1.00 line goes once the plot's height is known: under the bars and their labels.
  const underBars = body.length;
  const groupH = HEADLINE_WORKLOADS.length * (BAR_H + BAR_GAP) - BAR_GAP;
  for (const server of servers) {
    const own = bars.filter((b) => b.server === server);
    const ref = own[0].reference;
    body.push(text(LABEL_RIGHT, y + groupH / 2 + 4, `${label(server)} ÷ ${label(ref)}`, { size: 11, anchor: 'end' }));
    HEADLINE_WORKLOADS.forEach((w, i) => {
      const b = own.find((x) => x.workload === w);
      const by = y + i * (BAR_H + BAR_GAP);
      if (!b || !Number.isFinite(b.value.median)) return;
      body.push(`<rect x="${PLOT_X}" y="${by}" width="${(px(b.value.median) - PLOT_X).toFixed(1)}" height="${BAR_H}" fill="${WORKLOAD_COLORS[w]}"/>`);
      let end = px(b.value.median);
      if (b.value.n > 1) {
        const [a, z] = [px(b.value.min), px(b.value.max)];
        const mid = by + BAR_H / 2;
        body.push(`<path d="M${a.toFixed(1)} ${mid}H${z.toFixed(1)}M${a.toFixed(1)} ${by + 1}V${by + BAR_H - 1}M${z.toFixed(1)} ${by + 1}V${by + BAR_H - 1}" stroke="#222" stroke-width="1" fill="none"/>`);
        end = Math.max(end, z);
      }
      // A white ground under the label, so the dashed 1.00 line does not cross its digits.
      const label = `${b.value.median.toFixed(2)}x`;
      body.push(`<rect x="${(end + 3).toFixed(1)}" y="${by}" width="${(textWidth(label, 9) + 2).toFixed(1)}" height="${BAR_H}" fill="#ffffff"/>`);
      body.push(text(end + 4, by + BAR_H - 1, label, { size: 9, fill: '#222' }));
    });
    y += groupH + GROUP_GAP;
  }
  const plotBottom = y - GROUP_GAP + 4;
  if (!servers.length) {
    body.push(text(PLOT_X, y + 12, 'No ratio to C in this run: it needs a C server and another server at pp-100x64, pp-1000x64 or pp-100x16k.', { size: 11 }));
    y += 24;
  } else {
    // Axis: a tick every 0.5, the 1.00 line dashed over the bars.
    for (let v = 0; v <= max + 1e-9; v += 0.5) {
      body.push(`<line x1="${px(v).toFixed(1)}" x2="${px(v).toFixed(1)}" y1="${plotBottom}" y2="${plotBottom + 4}" stroke="#444"/>`);
      body.push(text(px(v), plotBottom + 15, v.toFixed(1), { size: 10, anchor: 'middle', fill: '#444' }));
    }
    body.push(`<line x1="${PLOT_X}" x2="${PLOT_X + PLOT_W}" y1="${plotBottom}" y2="${plotBottom}" stroke="#444"/>`);
    body.splice(underBars, 0, `<line x1="${px(1).toFixed(1)}" x2="${px(1).toFixed(1)}" y1="${plotTop - 4}" y2="${plotBottom}" stroke="#000" stroke-dasharray="4,3"/>`);
    body.push(text(PLOT_X + PLOT_W / 2, plotBottom + 30, 'server CPU per message ÷ the C server’s, same round', { size: 10, anchor: 'middle', fill: '#444' }));
    y = plotBottom + 40;
  }
  body.push(text(LEFT, y + 4, 'Details per workload (throughput, every server, ET ÷ LT, the lab): the detail sheet beside this chart.', { size: 10, fill: '#666' }));
  return svgDocument(WIDTH, y + 14, body);
}
