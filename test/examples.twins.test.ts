// The classic C servers and clients of examples/1-basics/02-echo/, examples/3-udp-unix/19-udp-echo/
// and examples/3-udp-unix/21-unix-stream/ and their line-by-line TypeScript twins mean
// the same: every pairing (C and TS, both ways) talks, and both print the
// same words. (examples/1-basics/01-hello/ has its own test, with the trace mode.)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Example, PAIRINGS, startCommand, startExample, stopExamples } from './run-example.js';

const dir = mkdtempSync(join(tmpdir(), 'ps-twins-'));
const cc = spawnSync('cc', ['--version']).status === 0;
const lessons = ['echo', 'udp-echo', 'unix-stream'] as const;
type Lesson = (typeof lessons)[number];
/** Where each lesson's four files are, under examples/. */
const folder: Record<Lesson, string> = {
  echo: '1-basics/02-echo',
  'udp-echo': '3-udp-unix/19-udp-echo',
  'unix-stream': '3-udp-unix/21-unix-stream',
};
type Lang = 'c' | 'ts';
const bin = (lesson: Lesson, role: string) => join(dir, `${lesson}-${role}`);

beforeAll(() => {
  if (!cc) return;
  for (const lesson of lessons) {
    for (const role of ['server', 'client']) execFileSync('cc', ['-O1', '-o', bin(lesson, role), `examples/${folder[lesson]}/${role}.c`]);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(stopExamples);

function start(lesson: Lesson, role: 'server' | 'client', lang: Lang, args: string[]): Example {
  return lang === 'c'
    ? startCommand(bin(lesson, role), args, `${folder[lesson]}/${role}.c`)
    : startExample(`${folder[lesson]}/${role}.ts`, args);
}


describe.skipIf(!cc)('C and TypeScript twins, all four pairings', () => {
  it.each(PAIRINGS)('echo: %s server, %s client: each line comes back whole, the server counts the bytes', async (s, c) => {
    const srv = start('echo', 'server', s, ['0', '1']);
    const [, port] = await srv.waitFor(/server: listening on port (\d+)\n/);
    const cli = start('echo', 'client', c, ['127.0.0.1', port!]);
    expect(await cli.exited, cli.transcript()).toBe(0);
    expect(cli.stdout()).toBe(
      'client: sent 6 bytes, echo matches: hello\n' +
        'client: sent 11 bytes, echo matches: echo, echo\n' +
        'client: sent 15 bytes, echo matches: the third line\n' +
        'client: 3 of 3 lines echoed intact\n',
    );
    expect(await srv.exited, srv.transcript()).toBe(0);
    expect(srv.stdout()).toMatch(
      new RegExp(`^server: listening on port ${port}\nserver: client 127\\.0\\.0\\.1:\\d+ connected\nserver: echoed 32 bytes, client closed\n$`),
    );
  });

  it.each(PAIRINGS)('udp-echo: %s server, %s client: each datagram comes back whole, from the server’s address', async (s, c) => {
    const srv = start('udp-echo', 'server', s, ['0', '3']);
    const [, port] = await srv.waitFor(/server: listening on port (\d+)\n/);
    const cli = start('udp-echo', 'client', c, ['127.0.0.1', port!]);
    expect(await cli.exited, cli.transcript()).toBe(0);
    const from = `127.0.0.1:${port}`;
    expect(cli.stdout()).toBe(
      `client: sent 3 bytes, got 3 back from ${from}, the same datagram\n` +
        `client: sent 7 bytes, got 7 back from ${from}, the same datagram\n` +
        `client: sent 17 bytes, got 17 back from ${from}, the same datagram\n` +
        'client: 3 of 3 datagrams echoed intact\n',
    );
    expect(await srv.exited, srv.transcript()).toBe(0);
    // One socket, one client port: every datagram came from the same peer.
    const peers = [...srv.stdout().matchAll(/server: (\d+) bytes from (127\.0\.0\.1:\d+)\n/g)];
    expect(peers.map((m) => m[1])).toEqual(['3', '7', '17']);
    expect(new Set(peers.map((m) => m[2])).size).toBe(1);
  });

  // Abstract names in the two mixed pairings, where C's
  // offsetof(struct sockaddr_un, sun_path) + strlen meets the TypeScript's.
  const names: [Lang, Lang, 'path' | 'abstract'][] = [
    ...PAIRINGS.map(([s, c]) => [s, c, 'path'] as [Lang, Lang, 'path']),
    ['ts', 'c', 'abstract'],
    ['c', 'ts', 'abstract'],
  ];
  it.each(names)('unix-stream: %s server, %s client, %s name: they talk, the client is unnamed', async (s, c, kind) => {
    const name = kind === 'path' ? join(dir, `sock-${s}-${c}`) : `@ps-twins-${process.pid}-${s}-${c}`;
    const srv = start('unix-stream', 'server', s, [name]);
    await srv.waitFor(/server: listening on /);
    const cli = start('unix-stream', 'client', c, [name]);
    expect(await cli.exited, cli.transcript()).toBe(0);
    expect(cli.stdout()).toBe("client: received 'you sent 24 bytes'\n");
    expect(await srv.exited, srv.transcript()).toBe(0);
    expect(srv.stdout()).toBe(
      `server: listening on ${name} (${kind === 'path' ? 'a socket file' : 'abstract: no file'})\n` +
        "server: got a connection, the client's address is 2 bytes (unnamed)\n",
    );
    // The server unlinked its socket file: nothing is left for the next bind to trip on.
    expect(spawnSync('test', ['-e', name]).status).toBe(1);
  });
});
