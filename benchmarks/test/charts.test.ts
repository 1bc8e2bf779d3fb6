// The charts as a reader meets them: the headline first, with the run's mode,
// its rounds and whiskers for the spread; no text over other text; nothing a
// browser and librsvg would draw differently.
import { describe, expect, it } from 'vitest';
import { detailChart } from '../harness/chart.js';
import { headlineChart } from '../harness/headline-chart.js';
import { HEADLINE_WORKLOADS, referenceOf } from '../harness/headline.js';
import { overlapping, text, textBoxes, textWidth } from '../harness/svg.js';
import { fakeRun } from './fake-run.js';

const widthOf = (svg: string) => Number(/^<svg [^>]*width="(\d+)"/.exec(svg)?.[1]);
const heightOf = (svg: string) => Number(/^<svg [^>]*height="(\d+)"/.exec(svg)?.[1]);

describe('the overlap check', () => {
  it('sees two labels drawn over each other, and not two side by side', () => {
    const a = text(10, 20, 'churn (connect, 64 B round trip, close): server CPU', { size: 10, bold: true });
    const b = text(200, 20, 'churn: throughput', { size: 10, bold: true });
    expect(overlapping(textBoxes(`${a}${b}`))).toHaveLength(1);
    const c = text(10 + textWidth('churn (connect, 64 B round trip, close): server CPU', 10, true) + 2, 20, 'x', { size: 10 });
    expect(overlapping(textBoxes(`${a}${c}`))).toEqual([]);
    expect(overlapping(textBoxes(`${a}${text(10, 33, 'the next line', { size: 10 })}`))).toEqual([]);
  });

  it('measures from the anchor: end-anchored text lies left of x', () => {
    const [box] = textBoxes(text(200, 50, 'C epoll LT', { size: 10, anchor: 'end' }));
    expect(box.x1).toBe(200);
    expect(box.x0).toBeCloseTo(200 - textWidth('C epoll LT', 10));
    expect(box.y0).toBeLessThan(50);
  });
});

describe.each([
  ['headline', headlineChart],
  ['detail', detailChart],
] as const)('the %s chart', (_name, chart) => {
  for (const rounds of [1, 3]) {
    const svg = chart(fakeRun(rounds));
    it(`(${rounds} round${rounds > 1 ? 's' : ''}) has no two texts over each other, all inside the picture`, () => {
      const boxes = textBoxes(svg);
      expect(boxes.length).toBe(svg.match(/<text /g)?.length);
      expect(overlapping(boxes).map(([a, b]) => `${a.text} | ${b.text}`)).toEqual([]);
      for (const b of boxes) {
        expect(b.x0, b.text).toBeGreaterThanOrEqual(0);
        expect(b.x1, b.text).toBeLessThanOrEqual(widthOf(svg));
        expect(b.y0, b.text).toBeGreaterThanOrEqual(0);
        expect(b.y1, b.text).toBeLessThanOrEqual(heightOf(svg));
      }
    });
  }

  it('gives every text its font and size, and uses no CSS or renderer-specific text feature', () => {
    const svg = chart(fakeRun(3));
    for (const t of svg.match(/<text [^>]*>/g) ?? []) expect(t).toMatch(/font-family="[^"]+" font-size="\d+"/);
    expect(svg).not.toMatch(/<style|style=|class=|dominant-baseline|textLength|<foreignObject/);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });
});

describe('the headline chart', () => {
  it('says the mode and the rounds in its title', () => {
    expect(headlineChart(fakeRun(3))).toMatch(/<text[^>]*>posix-sockets: server CPU per message, relative to C — full run, 3 rounds<\/text>/);
    expect(headlineChart(fakeRun(1, true))).toMatch(/quick run, 1 round<\/text>/);
    expect(headlineChart(fakeRun(1, true))).toMatch(/one round, so no spread/);
  });

  it('draws one bar per server and headline workload, whiskers only with rounds to spread over', () => {
    const r = fakeRun(3);
    const compared = r.servers.filter((s) => referenceOf(s.id)).length;
    expect(r.headline.length).toBe(r.headline.filter((b) => HEADLINE_WORKLOADS.includes(b.workload as never)).length);
    const svg = headlineChart(r);
    expect(svg.match(/<rect x="260" y="[\d.]+" width="[\d.]+" height="9"/g)?.length).toBe(r.headline.length);
    expect(svg.match(/<path d="M/g)?.length).toBe(r.headline.length);
    expect(headlineChart(fakeRun(1)).match(/<path d="M/g)).toBeNull();
    // Every compared server has its row label, naming the C server it is divided by.
    expect(svg.match(/ ÷ C (epoll LT|epoll ET|poll)<\/text>/g)?.length).toBe(compared);
  });

  it('is compact: well under the height of the detail sheet', () => {
    const r = fakeRun(3);
    expect(heightOf(headlineChart(r))).toBeLessThan(500);
    expect(heightOf(headlineChart(r))).toBeLessThan(heightOf(detailChart(r)) / 3);
  });
});
