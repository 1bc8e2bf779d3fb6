// Every lesson in examples/ runs as a reader runs it (npx tsx) and shows
// what its header comment says it shows.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const lesson = (name: string, ...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', `examples/${name}.ts`, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });

describe('lessons', () => {
  it('handshake: connect completes before accept, and early data waits in the queue', () => {
    const out = lesson('handshake');
    expect(out).toContain('client wrote 18 bytes before the server accepted');
    expect(out).toContain('the server reads 18 bytes that were already waiting: "sent before accept"');
    expect(out).toMatch(/peer port \d+: true/);
  });

  it('backlog: the accept queue holds backlog + 1 connections; the rest wait', () => {
    const out = lesson('backlog', '3', '9');
    expect(out).toContain('listen backlog 3: 4 of 9 connections completed the handshake');
    expect(out).toContain('5 are still waiting');
    expect(out).toContain('accept() found 4 connections queued');
  });

  it('half-close: the server reads EOF and can still reply', () => {
    const out = lesson('half-close');
    expect(out).toContain('server: read 31 bytes, then read() returned 0 (EOF)');
    expect(out).toContain('client: got "you sent 31 bytes", then read() returned 0 (EOF)');
  });

  it('message boundaries: TCP merges sends, framing restores them, UDP keeps them', () => {
    const out = lesson('message-boundaries');
    expect(out).toContain('TCP: 3 sends, 1 recv got 11 bytes: "onetwothree"');
    expect(out).toContain('TCP with length-prefix framing: ["one","two","three"]');
    expect(out).toContain('UDP: 3 sendtos, 3 recvfroms: ["one","two","three"]');
  });

  it('blocking vs non-blocking: -1 at once, or a wait until the peer sends', () => {
    const out = lesson('blocking-vs-nonblocking');
    expect(out).toMatch(/recv\(MSG_DONTWAIT\) on an empty socket: -1/);
    expect(out).toMatch(/recv\(\) with O_NONBLOCK set: -1/);
    const waited = Number(/returned 14 bytes "worth the wait" after (\d+) ms/.exec(out)?.[1]);
    expect(waited).toBeGreaterThanOrEqual(190); // the peer sends after 200 ms, so no sooner
  });
});
