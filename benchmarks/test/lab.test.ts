// The lab's io_uring column: the C io_uring echo server run by the lab in
// every scenario, counted by strace where the machine has it and measured
// without it where it has not, and rendered in the report beside LT and ET.
// Tiny runs (0.1 s windows); speeds are never asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBinaries } from '../harness/build.js';
import { hasCommand } from '../harness/proc.js';
import { Progress } from '../harness/progress.js';
import { markdownReport } from '../harness/report.js';
import { LAB_MODES, LAB_SCENARIOS, labServerCommand, runLabMode, type LabOptions } from '../lab/lab.js';
import { fakeRun } from './fake-run.js';
import { stopHarnessChildrenAfterAll } from './harness-children.js';

const strace = hasCommand('strace');
const options: LabOptions = {
  duration: 0.1,
  serverCpu: null,
  loadgenCpu: null,
  progress: new Progress([], { write: () => true }),
  waiterWorkers: 2,
};
let tmp = '';
stopHarnessChildrenAfterAll();

beforeAll(() => {
  ensureBinaries();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'lab-test-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('the lab runs the C io_uring server as a third mode', () => {
  it('in every scenario, with the scenario’s options', () => {
    expect(LAB_MODES).toEqual(['lt', 'et', 'uring']);
    for (const s of LAB_SCENARIOS) {
      expect(s.uringExpectation.length, s.id).toBeGreaterThan(40);
      const cmd = labServerCommand(s, 'uring');
      expect(path.basename(cmd[0]!)).toBe('uring-echo-server');
      expect(cmd.slice(1)).toEqual(['uring', '0', '--watch-stdin', '--nodelay', ...s.serverArgs]);
      // The epoll servers get the same options, so both sides have the same buffer.
      expect(labServerCommand(s, 'lt').slice(2)).toEqual(cmd.slice(2));
    }
  });

  it.each(LAB_SCENARIOS.map((s) => [s.id, s] as const))(
    '%s: every message echoed, CPU per message, and (with strace) io_uring_enter and nothing of epoll',
    { timeout: 30_000 },
    async (_id, s) => {
      // The stream scenario echoes a few hundred 64 KiB chunks a second, fewer
      // under strace and delayed-ACK stalls: a longer window, so some come back.
      const duration = s.id === 'write-backpressure' ? 0.6 : options.duration;
      const m = await runLabMode(s, 'uring', { ...options, duration }, tmp, strace);
      expect(m.error, m.error).toBeUndefined();
      expect(m.mode).toBe('uring');
      expect(m.cpuPerMsgNs).toBeGreaterThan(0);
      expect(m.msgsPerS).toBeGreaterThan(0);
      if (!strace) return; // the lab degrades the same way: CPU only
      expect(m.messages).toBeGreaterThan(0);
      expect(m.syscallsPerMsg.io_uring_enter).toBeGreaterThan(0);
      expect(m.syscallsPerMsg.epoll_wait).toBeUndefined();
      expect(m.syscallsPerMsg.epoll_ctl).toBeUndefined();
      expect(m.syscallsPerMsg.accept4).toBeUndefined();
      // read and write: only the server's start (the dynamic loader, "ready"), never per message.
      expect((m.syscallsPerMsg.read ?? 0) * m.messages).toBeLessThanOrEqual(2);
      expect((m.syscallsPerMsg.write ?? 0) * m.messages).toBeLessThanOrEqual(2);
      expect(m.totalPerMsg).toBeCloseTo(Object.values(m.syscallsPerMsg).reduce((a, b) => a + b, 0), 9);
    },
  );

  it('an epoll mode beside it counts epoll_wait, read and write, and no io_uring_enter', { timeout: 30_000 }, async () => {
    const m = await runLabMode(LAB_SCENARIOS[0]!, 'lt', options, tmp, strace);
    expect(m.error, m.error).toBeUndefined();
    expect(m.cpuPerMsgNs).toBeGreaterThan(0);
    if (!strace) return;
    expect(m.syscallsPerMsg.io_uring_enter).toBeUndefined();
    expect(m.syscallsPerMsg.epoll_wait).toBeGreaterThan(0);
    expect(m.syscallsPerMsg.read).toBeGreaterThanOrEqual(1); // one read and one write per 64 B message, at least
    expect(m.syscallsPerMsg.write).toBeGreaterThanOrEqual(1);
  });

  it('without strace it measures CPU and leaves the calls uncounted', { timeout: 30_000 }, async () => {
    const m = await runLabMode(LAB_SCENARIOS[0]!, 'uring', options, tmp, false);
    expect(m.error, m.error).toBeUndefined();
    expect(m.cpuPerMsgNs).toBeGreaterThan(0);
    expect(m.syscallsPerMsg).toEqual({});
    expect(m.totalPerMsg).toBeNaN();
  });

  it('a server that cannot start fails its row, not the lab', { timeout: 30_000 }, async () => {
    const broken = { ...LAB_SCENARIOS[0]!, serverArgs: ['--no-such-option'] };
    const m = await runLabMode(broken, 'uring', options, tmp, strace);
    expect(m.error).toMatch(/exited \(2\) before "ready"/);
    expect(m.cpuPerMsgNs).toBeNaN();
  });
});

describe('the lab in the report', () => {
  const md = markdownReport(fakeRun(1));
  const lab = md.slice(md.indexOf('## Edge- vs level-triggered lab'));

  it('has an io_uring row with its io_uring_enter column in every scenario', () => {
    expect(lab.match(/^\| Mode \| epoll_wait \| read \| write \| epoll_ctl \| io_uring_enter \| EAGAIN \| total \|/gm)).toHaveLength(LAB_SCENARIOS.length);
    // fakeLab: io_uring makes 0.2 + i io_uring_enter per message and nothing else.
    expect(lab).toContain('| io_uring | 0.00 | 0.00 | 0.00 | 0.00 | 0.200 | 0.00 | 0.200 |');
    expect(lab).toContain('| LT | 0.100 | 1.00 | 1.00 | 0.00 | 0.00 |');
  });

  it('says what to expect of io_uring, and what was measured, per scenario', () => {
    for (const s of LAB_SCENARIOS) expect(lab).toContain(`Expected of io_uring: ${s.uringExpectation}.`);
    expect(lab.match(/^Measured, io_uring: io_uring ÷ LT \(the epoll mode with less CPU here\) = \d\.\d\dx server CPU per message, and \d\.\d\d system calls per message against \d\.\d\d\.$/gm)).toHaveLength(
      LAB_SCENARIOS.length,
    );
    expect(lab).toMatch(/system calls per message: LT 2\.10, ET 2\.20, io_uring 0\.20\./);
  });
});
