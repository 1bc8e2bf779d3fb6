// Progress through the phases of a run (servers × workloads, C10K, micro,
// lab): one `[n/N]` line per finished step with an estimate of the time left,
// and on a terminal a bar kept under those lines that says what runs now.
import { fmtDuration } from './format.js';

/** One phase of the run: how many steps it has and about how long each takes. */
export interface PhasePlan {
  phase: string;
  steps: number;
  /** A priori estimate; the run's own pace corrects it as steps finish. */
  secondsEach: number;
}

/** Where progress goes: process.stderr, or a test's collector. */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface StepLine {
  n: number;
  total: number;
  phase: string;
  k: number;
  phaseTotal: number;
  what: string;
  detail: string;
  secondsLeft: number | null;
}

const PHASE_W = 7;

/** `[ 12/95] servers 12/80  r1 pp-100x64 c-lt  6959 ns/message · 1 min 20 s left` */
export function stepLine(s: StepLine): string {
  const width = String(s.total).length;
  const count = `[${String(s.n).padStart(width)}/${s.total}]`;
  const phase = `${s.phase.padEnd(PHASE_W)} ${String(s.k).padStart(String(s.phaseTotal).length)}/${s.phaseTotal}`;
  const left = s.secondsLeft === null ? '' : `  · ${s.n === s.total ? 'done' : `${fmtDuration(s.secondsLeft)} left`}`;
  return `${count} ${phase}  ${s.what}${s.detail ? `  ${s.detail}` : ''}${left}`;
}

/** `[█████░░░░░]  45 %  lab 3/7 · now: lab small-echo et · 20 s left`, cut to the terminal's width. */
export function barLine(fraction: number, text: string, columns = 100, barWidth = 24): string {
  const f = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(f * barWidth);
  const line = `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${String(Math.floor(f * 100)).padStart(3)} %  ${text}`;
  return line.length >= columns ? line.slice(0, Math.max(0, columns - 1)) : line;
}

export class Progress {
  private readonly plan: PhasePlan[];
  private started: number;
  private readonly doneIn = new Map<string, number>();
  private done = 0;
  private doneSeconds = 0;
  private now = '';

  constructor(
    plan: PhasePlan[],
    private readonly out: ProgressSink,
    private readonly clock: () => number = Date.now,
  ) {
    this.plan = plan.filter((p) => p.steps > 0).map((p) => ({ ...p }));
    this.started = clock();
  }

  get total(): number {
    return this.plan.reduce((n, p) => n + p.steps, 0);
  }

  /** Estimated seconds left: the plan's estimate for what is left, scaled by how the finished steps compared with theirs. */
  secondsLeft(): number | null {
    const left = this.plan.reduce((s, p) => s + (p.steps - (this.doneIn.get(p.phase) ?? 0)) * p.secondsEach, 0);
    if (this.done === 0) return left;
    const pace = this.doneSeconds > 0 ? (this.clock() - this.started) / 1000 / this.doneSeconds : 1;
    return left * pace;
  }

  /** Says what runs now (the bar on a terminal; nothing otherwise: the step's line follows when it ends). */
  begin(what: string): void {
    // The pace counts from the first step's start, not from the setup before it (compiling, starting servers).
    if (this.done === 0) this.started = this.clock();
    this.now = what;
    this.drawBar();
  }

  /** One step of `phase` finished: prints its line. */
  step(phase: string, what: string, detail = ''): void {
    const p = this.phaseOf(phase);
    const k = (this.doneIn.get(phase) ?? 0) + 1;
    // A phase that runs more steps than planned grows, so n never passes N.
    if (k > p.steps) p.steps = k;
    this.doneIn.set(phase, k);
    this.done++;
    this.doneSeconds += p.secondsEach;
    this.now = '';
    this.line(
      stepLine({ n: this.done, total: this.total, phase, k, phaseTotal: p.steps, what, detail, secondsLeft: this.secondsLeft() }),
    );
  }

  /** Steps of `phase` that will not run (a server skipped or failed to start): N shrinks. */
  skip(phase: string, steps = 1): void {
    const p = this.phaseOf(phase);
    p.steps = Math.max(this.doneIn.get(phase) ?? 0, p.steps - steps);
    this.drawBar();
  }

  /** A line that is not a step: a note or a warning, printed above the bar. */
  log(text: string): void {
    this.line(text);
  }

  /** Removes the bar, so that what follows starts on a clean line. */
  finish(): void {
    if (this.out.isTTY) this.out.write('\r\x1b[K');
  }

  private phaseOf(phase: string): PhasePlan {
    let p = this.plan.find((x) => x.phase === phase);
    if (!p) {
      p = { phase, steps: 0, secondsEach: 1 };
      this.plan.push(p);
    }
    return p;
  }

  private line(text: string): void {
    if (this.out.isTTY) this.out.write('\r\x1b[K');
    this.out.write(`${text}\n`);
    this.drawBar();
  }

  private drawBar(): void {
    if (!this.out.isTTY || this.total === 0) return;
    const current = this.plan.find((p) => (this.doneIn.get(p.phase) ?? 0) < p.steps);
    const where = current ? `${current.phase} ${(this.doneIn.get(current.phase) ?? 0) + 1}/${current.steps}` : 'done';
    const left = this.secondsLeft();
    const text = [where, this.now && `now: ${this.now}`, left !== null && current ? `${fmtDuration(left)} left` : ''].filter(Boolean).join(' · ');
    // A terminal of unknown size (a pty with no window size set) reports 0 columns.
    this.out.write(`\r\x1b[K${barLine(this.done / this.total, text, this.out.columns || 100)}`);
  }
}
