// The trace mode against strace, on the four C twins of the course: each
// TypeScript twin, traced, makes the calls strace shows its C twin making,
// with the same arguments and results, line for line (fds and ports
// renamed in order of appearance; see twin-traces.ts). The C side is a
// recording (test/fixtures/twins/, by scripts/record-twin-straces.mts), so
// that a machine without strace still holds the TypeScript side to it; where
// strace is installed, the recording is checked against a fresh strace.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopExamples } from './run-example.js';
import { TWINS, compileTwins, fixture, hasCc, hasStrace, normalizeCalls, runTwin } from './twin-traces.js';

const dir = mkdtempSync(join(tmpdir(), 'ps-trace-twins-'));
const bin = (name: string) => join(dir, name);
const recorded = (lesson: string, role: 'server' | 'client') => readFileSync(fixture(lesson, role), 'utf8').trimEnd().split('\n');

beforeAll(() => {
  if (hasCc && hasStrace) compileTwins(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(stopExamples);

describe('the trace mode prints what strace prints of the C twin', () => {
  it.each(TWINS)('$lesson: server and client, call for call', async (twin) => {
    const ts = await runTwin(twin, 'ts', bin);
    for (const role of ['server', 'client'] as const) {
      const want = recorded(twin.lesson, role);
      expect(want.length).toBeGreaterThan(3);
      expect(normalizeCalls(ts[role]), `${twin.lesson}/${role}.ts`).toEqual(want);
    }
  });
});

describe.skipIf(!hasCc || !hasStrace)('the recordings are what strace shows of the C twins today', () => {
  it.each(TWINS)('$lesson', async (twin) => {
    const c = await runTwin(twin, 'c', bin);
    for (const role of ['server', 'client'] as const) expect(normalizeCalls(c[role]), `${twin.lesson}/${role}.c`).toEqual(recorded(twin.lesson, role));
  });
});

describe('normalizeCalls', () => {
  it('renames fds and ports in order, drops calls on other fds, and gives glibc’s send and recv their names', () => {
    const strace = [
      '123 read(3, "\\177ELF", 832) = 832',
      '123 close(3)                = 0',
      '123 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3',
      '123 accept(3, {sa_family=AF_INET, sin_port=htons(40000), sin_addr=inet_addr("127.0.0.1")}, [16]) = 5',
      '123 write(1, "server: hi\\n", 11) = 11',
      '123 sendto(5, "hi", 2, 0, NULL, 0) = 2',
      '123 recvfrom(5, 0x7ffd1234abcd, 99, MSG_DONTWAIT, NULL, NULL) = -1 EAGAIN (Resource temporarily unavailable)',
      '123 setsockopt(3, SOL_SOCKET, SO_RCVTIMEO_OLD, "\\2\\0\\0\\0\\0\\0\\0\\0\\20\\47\\0\\0\\0\\0\\0\\0", 16) = 0',
      '123 +++ exited with 0 +++',
    ].join('\n');
    expect(normalizeCalls(strace)).toEqual([
      'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = fd1',
      'accept(fd1, {sa_family=AF_INET, sin_port=htons(port1), sin_addr=inet_addr("127.0.0.1")}, [16]) = fd2',
      'send(fd2, "hi", 2, 0) = 2',
      'recv(fd2, 0x..., 99, MSG_DONTWAIT) = -1 EAGAIN',
      'setsockopt(fd1, SOL_SOCKET, SO_RCVTIMEO, {tv_sec=2, tv_usec=10000}, 16) = 0',
    ]);
  });
});
