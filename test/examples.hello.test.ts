// The classic C server and client of examples/1-basics/01-hello/ and their line-by-line
// TypeScript twins mean the same: every pairing talks (C and TS, both ways),
// and the trace mode prints errors as strace does.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Example, PAIRINGS, startCommand, startExample, stopExamples } from './run-example.js';

const dir = mkdtempSync(join(tmpdir(), 'ps-hello-'));
const cc = spawnSync('cc', ['--version']).status === 0;
const bin = (name: string) => join(dir, name);

beforeAll(() => {
  if (!cc) return;
  for (const name of ['server', 'client']) execFileSync('cc', ['-O1', '-o', bin(name), `examples/1-basics/01-hello/${name}.c`]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(stopExamples);

const server = (lang: 'c' | 'ts', env?: NodeJS.ProcessEnv): Example =>
  lang === 'c' ? startCommand(bin('server'), ['0'], '1-basics/01-hello/server.c', env) : startExample('1-basics/01-hello/server.ts', ['0'], env);
const client = (lang: 'c' | 'ts', port: string): Example =>
  lang === 'c' ? startCommand(bin('client'), ['127.0.0.1', port], '1-basics/01-hello/client.c') : startExample('1-basics/01-hello/client.ts', ['127.0.0.1', port]);

describe.skipIf(!cc)('examples/1-basics/01-hello: C and TypeScript twins', () => {
  it.each(PAIRINGS)('%s server, %s client: the client receives the greeting, the server sees 127.0.0.1', async (s, c) => {
    const srv = server(s);
    const [, port] = await srv.waitFor(/server: listening on port (\d+)\n/);
    const cli = client(c, port!);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toBe("client: received 'Hello, world!'\n");
    expect(await srv.exited).toBe(0);
    expect(srv.stdout()).toBe(`server: listening on port ${port}\nserver: got connection from 127.0.0.1\n`);
  });
});

// Call for call against strace of the C twins: examples.trace.test.ts.
describe('trace mode', () => {
  it('prints errors as strace does: -1, the errno name and the kernel’s text', async () => {
    const { trace, socket, connect, close, AF_INET, SOCK_STREAM, SOCK_NONBLOCK } = await import('../lib/index.js');
    const lines: string[] = [];
    trace((line) => lines.push(line));
    const fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
    try {
      expect(() => connect(fd, { family: AF_INET, address: '127.0.0.1', port: 1 }, 8)).toThrow();
    } finally {
      close(fd);
      trace(false);
    }
    expect(lines[0]).toBe(`socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = ${fd}`);
    expect(lines[1]).toBe(`connect(${fd}, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr("127.0.0.1")}, 8) = -1 EINVAL (Invalid argument)`);
    expect(lines[2]).toBe(`close(${fd}) = 0`);
    // trace(false) restored the untraced functions: nothing more is printed.
    close(socket(AF_INET, SOCK_STREAM));
    expect(lines).toHaveLength(3);
  });
});
