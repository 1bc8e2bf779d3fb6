// The two-host lessons (tcp/states, tcp/peer-failure) run in network
// namespaces they make themselves, as a reader runs them, and print the
// facts they teach; each exits 1 when the kernel showed something else, and
// 77 with "skipped: needs root and ip netns" where namespaces cannot be
// made, the only case in which these tests skip.
//
// Each run's namespaces are named after its pid, so whatever a run left
// (killed by the timeout, say) is found and removed here, with the
// processes still inside; and the test fails if the lesson itself left any.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, type TestContext } from 'vitest';
import { SKIPPED, namesOf, removeNamespaces } from '../examples/common/netns.js';
import { startExample, stopExamples } from './run-example.js';

afterEach(stopExamples);

/** The namespaces that exist now. */
const namespaces = () => spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;

/** Whether process `pid` still exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `examples/<file>` to its end (at most 25 s) and returns what it
 * printed; skips the test when the lesson says it cannot make namespaces.
 * Afterwards its namespaces must be gone; any left, and the processes in
 * them, are removed before the test fails.
 */
async function runNetnsExample(ctx: TestContext, file: string): Promise<string> {
  const example = startExample(file);
  const pid = example.child.pid!;
  const { a, b } = namesOf(pid);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 25_000)));
  let code: number | null | 'timeout';
  try {
    code = await Promise.race([example.exited, timedOut]);
  } finally {
    clearTimeout(timer);
    await example.stop();
    const left = namespaces().split('\n').filter((l) => l.startsWith(`${a} `) || l === a || l.startsWith(`${b} `) || l === b);
    for (const ns of [a, b]) {
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      for (const p of pids) process.kill(Number(p), 'SIGKILL'); // the lesson's own children, left in its namespaces
    }
    removeNamespaces(pid);
    expect(left, `namespaces ${file} left behind`).toEqual([]);
  }
  if (code === SKIPPED && example.stdout().includes('skipped: needs root and ip netns')) ctx.skip(example.stdout().trim());
  if (code !== 0) throw new Error(`${file} ${code === 'timeout' ? 'did not end in 25 s' : `exited ${code}`}\n${example.transcript()}`);
  return example.stdout();
}

describe('two-host lessons', () => {
  it('tcp/states: every state of the handshake and the close, each read as it happened', { timeout: 30_000 }, async (ctx) => {
    const out = await runNetnsExample(ctx, '2-tcp/17-states.ts');
    const seen = [...out.matchAll(/^ +\d+ ms {2}(client|server) +([A-Z_0-9]+) +(TCP_INFO|[ab] \/proc\/net\/tcp) /gm)].map((m) => `${m[1]} ${m[2]} (${m[3]})`);
    expect(seen).toEqual([
      'client SYN_SENT (TCP_INFO)',
      'server SYN_RECV (b /proc/net/tcp)',
      'client ESTABLISHED (TCP_INFO)',
      'server ESTABLISHED (TCP_INFO)',
      'client FIN_WAIT1 (TCP_INFO)',
      'server CLOSE_WAIT (TCP_INFO)',
      'client FIN_WAIT1 (TCP_INFO)',
      'client FIN_WAIT2 (TCP_INFO)',
      'server LAST_ACK (TCP_INFO)',
      'client TIME_WAIT (a /proc/net/tcp)',
      'client CLOSE (TCP_INFO)',
      'server CLOSE (TCP_INFO)',
      'client TIME_WAIT (a /proc/net/tcp)',
    ]);
    const [, synRetrans] = /after the client sent its SYN again \((\d+) retransmission/.exec(out)!;
    expect(Number(synRetrans)).toBeGreaterThanOrEqual(1);
    expect(out).toContain('the FIN arrived: recv returned 0');
    const [, before, after] = /retransmissions (\d+) -> (\d+)\); the ACK came back/.exec(out)!;
    expect(Number(after)).toBeGreaterThan(Number(before));
  });

  it('tcp/peer-failure: a killed process sends a FIN, a gone host only times out, a rebooted host resets', { timeout: 30_000 }, async (ctx) => {
    const out = await runNetnsExample(ctx, '2-tcp/18-peer-failure.ts');
    const [, serverPid] = /a\. the server process \(pid (\d+), holding the connection as fd \d+\) ended by SIGKILL/.exec(out)!;
    expect(alive(Number(serverPid))).toBe(false);
    expect(out).toContain("the client's recv returned 0 (the FIN its kernel sent when it closed the fds), state CLOSE_WAIT; the next send returned 6, the RST came back (state CLOSE), and the send after it threw EPIPE");
    expect(out).toMatch(/keepalive \(idle 1 s, interval 1 s, count 2\) failed the idle connection after \d+ ms: recv threw ETIMEDOUT, state CLOSE/);
    expect(out).toMatch(/TCP_USER_TIMEOUT 1500 ms failed the connection with unacknowledged data after \d+ ms: recv threw ETIMEDOUT, state CLOSE/);
    expect(out).toMatch(/the idle connection without either noticed nothing: state ESTABLISHED after \d+ ms, recv returned -1/);
    expect(out).toMatch(/c\. host b rebooted in \d+ ms .* still ESTABLISHED, sent again: send returned 12, the new host answered with a RST, and recv threw ECONNRESET/);
  });
});
