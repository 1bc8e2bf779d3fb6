// Progress through a run: [n/N] lines with the time left, a bar only on a
// terminal, and the plain number formats the table and the lines use.
import { describe, expect, it } from 'vitest';
import { fmtDuration, fmtPercent } from '../harness/format.js';
import { Progress, barLine, stepLine } from '../harness/progress.js';

/** A sink that keeps what was written, as a terminal or as a pipe. */
function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 120, write: (t: string) => chunks.push(t), text: () => chunks.join('') };
}

/** A clock the test moves by hand. */
function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (s: number) => (t += s * 1000) };
}

describe('number formats', () => {
  it('writes percentages plainly, never in exponent notation', () => {
    expect(fmtPercent(1)).toBe('100 %');
    expect(fmtPercent(1.004)).toBe('100 %');
    expect(fmtPercent(0.394)).toBe('39 %');
    expect(fmtPercent(0.045)).toBe('4.5 %');
    expect(fmtPercent(0)).toBe('0 %');
    expect(fmtPercent(NaN)).toBe('–');
  });

  it('writes durations as a person reads them', () => {
    expect(fmtDuration(4.6)).toBe('5 s');
    expect(fmtDuration(185)).toBe('3 min 05 s');
    expect(fmtDuration(3720)).toBe('1 h 02 min');
    expect(fmtDuration(-1)).toBe('–');
  });
});

describe('progress lines', () => {
  it('a step line says where in the run and in its phase it is, and the time left', () => {
    const line = stepLine({ n: 12, total: 95, phase: 'servers', k: 12, phaseTotal: 80, what: 'r1 pp-100x64 c-lt', detail: '6959 ns/message', secondsLeft: 80 });
    expect(line).toBe('[12/95] servers 12/80  r1 pp-100x64 c-lt  6959 ns/message  · 1 min 20 s left');
    expect(stepLine({ n: 95, total: 95, phase: 'lab', k: 7, phaseTotal: 7, what: 'waiters', detail: '', secondsLeft: 0 })).toMatch(/· done$/);
  });

  it('a bar fills with the fraction done and fits the terminal', () => {
    expect(barLine(0.5, 'lab 3/7', 100, 10)).toBe('[█████░░░░░]  50 %  lab 3/7');
    expect(barLine(2, 'x', 100, 4)).toMatch(/^\[████\] 100 %/);
    expect(barLine(0.1, 'a long text '.repeat(20), 40).length).toBe(39);
  });

  it('without a terminal: one clean line per step, no control characters', () => {
    const out = sink(false);
    const c = clock();
    const p = new Progress([{ phase: 'servers', steps: 2, secondsEach: 1 }, { phase: 'lab', steps: 1, secondsEach: 2 }], out, c.now);
    p.begin('r1 w a');
    c.advance(1);
    p.step('servers', 'r1 w a', 'fine');
    p.log('bench: a note');
    p.begin('r1 w b');
    c.advance(1);
    p.step('servers', 'r1 w b');
    p.begin('lab x');
    c.advance(2);
    p.step('lab', 'x');
    p.finish();
    expect(out.text()).not.toMatch(/[\r\x1b]/);
    expect(out.text().split('\n')).toEqual([
      '[1/3] servers 1/2  r1 w a  fine  · 3 s left',
      'bench: a note',
      '[2/3] servers 2/2  r1 w b  · 2 s left',
      '[3/3] lab     1/1  x  · done',
      '',
    ]);
  });

  it('on a terminal: the bar is redrawn under each line and removed at the end', () => {
    const out = sink(true);
    const p = new Progress([{ phase: 'micro', steps: 2, secondsEach: 1 }], out, clock().now);
    p.begin('micro binding overhead');
    expect(out.chunks.at(-1)).toMatch(/^\r\x1b\[K\[░+\]   0 %  micro 1\/2 · now: micro binding overhead · 2 s left$/);
    p.step('micro', 'binding overhead');
    expect(out.text()).toContain('\r\x1b[K[1/2] micro   1/2  binding overhead');
    expect(out.chunks.at(-1)).toMatch(/ 50 %  micro 2\/2/);
    p.finish();
    expect(out.chunks.at(-1)).toBe('\r\x1b[K');
  });

  it('draws the bar on a terminal that reports no width (0 columns)', () => {
    const out = { ...sink(true), columns: 0 };
    new Progress([{ phase: 'lab', steps: 1, secondsEach: 1 }], out, clock().now).begin('lab small-echo lt');
    expect(out.chunks.at(-1)).toMatch(/now: lab small-echo lt/);
  });

  it('estimates the time left from the pace of the finished steps', () => {
    const c = clock();
    const p = new Progress([{ phase: 'servers', steps: 10, secondsEach: 1 }], sink(false), c.now);
    expect(p.secondsLeft()).toBe(10);
    p.begin('first');
    c.advance(2); // twice as slow as planned
    p.step('servers', 'first');
    expect(p.secondsLeft()).toBeCloseTo(18);
  });

  it('setup before the first step does not count into the pace', () => {
    const c = clock();
    const p = new Progress([{ phase: 'servers', steps: 4, secondsEach: 1 }], sink(false), c.now);
    c.advance(30); // compiling and starting servers
    p.begin('first');
    c.advance(1);
    p.step('servers', 'first');
    expect(p.secondsLeft()).toBeCloseTo(3);
  });

  it('steps that will not run shrink the total; extra steps grow it', () => {
    const out = sink(false);
    const p = new Progress([{ phase: 'c10k', steps: 3, secondsEach: 1 }], out, clock().now);
    p.skip('c10k');
    expect(p.total).toBe(2);
    p.step('c10k', 'a');
    p.step('c10k', 'b');
    p.step('c10k', 'c');
    expect(p.total).toBe(3);
    expect(out.text()).toContain('[3/3] c10k    3/3  c');
  });
});
