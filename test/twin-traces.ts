// The C twins of the course under strace and their TypeScript twins under
// this library's trace mode, brought to one form so that the two can be
// compared line by line: the test (examples.trace.test.ts) and the script
// that records the C side (scripts/record-twin-straces.mts) share it.
//
// What is left out, on both sides, is what differs between two runs or two
// runtimes and says nothing of the socket program: fd numbers and ports
// (renamed in order of appearance), calls on fds that are not sockets (the
// dynamic loader's reads, printf's writes to fd 1), and calls the TypeScript
// program makes through Node rather than through this library (unlink).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCommand, startExample, type Example } from './run-example.js';

/** A twin of the course, and how its server and client are started. */
export interface Twin {
  lesson: string;
  /** Its folder under examples/. */
  folder: string;
  serverArgs: string[];
  /** The client's arguments; PORT and NAME stand for what the server printed. */
  clientArgs: string[];
  /** What the server prints once it listens; its group 1 is the port or the name. */
  ready: RegExp;
}

export const TWINS: readonly Twin[] = [
  { lesson: 'hello', folder: '1-basics/01-hello', serverArgs: ['0'], clientArgs: ['127.0.0.1', 'PORT'], ready: /listening on port (\d+)\n/ },
  { lesson: 'echo', folder: '1-basics/02-echo', serverArgs: ['0', '1'], clientArgs: ['127.0.0.1', 'PORT'], ready: /listening on port (\d+)\n/ },
  { lesson: 'udp-echo', folder: '3-udp-unix/19-udp-echo', serverArgs: ['0', '3'], clientArgs: ['127.0.0.1', 'PORT'], ready: /listening on port (\d+)\n/ },
  { lesson: 'unix-stream', folder: '3-udp-unix/21-unix-stream', serverArgs: ['@ps-twin-trace'], clientArgs: ['@ps-twin-trace'], ready: /listening on (\S+) / },
];

/** The calls compared: this library's names for the socket calls of the twins. */
const CALLS = new Set([
  'socket', 'bind', 'listen', 'accept', 'accept4', 'connect', 'getsockname', 'getpeername',
  'setsockopt', 'getsockopt', 'read', 'write', 'send', 'recv', 'sendto', 'recvfrom', 'shutdown', 'close',
]);

/**
 * strace's lines, or the trace mode's, in the one form: `socket(AF_INET,
 * SOCK_STREAM, IPPROTO_IP) = fd1`, `bind(fd1, {..., sin_port=htons(port1),
 * ...}, 16) = 0`. Where glibc implements `send` and `recv` with sendto(2) and
 * recvfrom(2) and no address, strace names the system call; those lines are
 * given the C library's names the programs use.
 */
export function normalizeCalls(text: string): string[] {
  const fds = new Map<string, string>();
  const ports = new Map<string, string>();
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw
      .replace(/^\d+ +/, '') // strace -f's pid
      .replace(/\) +=/, ') =') // strace's padding before the result
      .replace(/ \(.*\)$/, '') // the errno's text after `-1 EAGAIN`
      .replace(/^sendto\((\d+), (".*"(?:\.\.\.)?), (\d+), (\w+), NULL, 0\)/, 'send($1, $2, $3, $4)')
      .replace(/^recvfrom\((\d+), (.*), (\d+), (\w+), NULL, NULL\)/, 'recv($1, $2, $3, $4)')
      .replace(/0x[0-9a-f]{6,}/g, '0x...') // an address strace prints for a buffer it cannot show
      // On 64-bit Linux glibc's SO_RCVTIMEO is the kernel's SO_RCVTIMEO_OLD,
      // whose struct timeval this strace prints as bytes: decoded here.
      .replace(/SO_(RCV|SND)TIMEO_OLD, "((?:\\\d+)+)", 16/, (_m, dir: string, octets: string) => {
        const b = octets.split('\\').slice(1).map((o) => parseInt(o, 8));
        const word = (i: number) => b.slice(i, i + 8).reduceRight((v, x) => v * 256 + x, 0);
        return `SO_${dir}TIMEO, {tv_sec=${word(0)}, tv_usec=${word(8)}}, 16`;
      });
    const m = /^(\w+)\((\d+)?(.*) = (-1 \w+|\d+)$/.exec(line);
    if (!m || !CALLS.has(m[1]!)) continue;
    const [, name, fd, rest, result] = m;
    const made = name === 'socket' || name === 'accept' || name === 'accept4';
    if (fd !== undefined && !fds.has(fd)) continue; // not a socket of the program's
    const fdName = (f: string) => fds.get(f) ?? f;
    let text = `${name}(${fd === undefined ? '' : fdName(fd)}${rest}`.replace(/htons\((\d+)\)/g, (_m, p: string) => {
      if (p === '0') return 'htons(0)';
      if (!ports.has(p)) ports.set(p, `port${ports.size + 1}`);
      return `htons(${ports.get(p)})`;
    });
    let res = result!;
    if (made && /^\d+$/.test(res)) {
      const name = `fd${fds.size + 1}`;
      fds.set(res, name);
      res = name;
    }
    if (name === 'close' && fd !== undefined) fds.delete(fd);
    text = text.replace(/@"ps-twin-[^"]*"/g, '@"ps-twin"');
    out.push(`${text} = ${res}`);
  }
  return out;
}

/** Runs `twin`'s server and client (C under strace, TS traced) and returns both outputs, raw. */
export async function runTwin(twin: Twin, lang: 'c' | 'ts', bin: (name: string) => string): Promise<{ server: string; client: string }> {
  // Of one length every run: the abstract address's length counts its bytes.
  const unique = `ps-twin-${String(process.pid).padStart(7, '0')}-${Date.now()}`;
  const args = (a: string[], value = '') => a.map((x) => x.replace('ps-twin-trace', unique).replace('PORT', value));
  const traced = { ...process.env, POSIX_SOCKETS_TRACE: '1' };
  const start = (role: 'server' | 'client', a: string[], out: string): Example =>
    lang === 'c'
      ? startCommand('strace', ['-f', '-qq', '-o', out, bin(`${twin.lesson}-${role}`), ...a], `${twin.folder}/${role}.c`)
      : startExample(`${twin.folder}/${role}.ts`, a, traced);
  const server = start('server', args(twin.serverArgs), bin(`${twin.lesson}-server.strace`));
  const [, where] = await server.waitFor(twin.ready);
  const client = start('client', args(twin.clientArgs, where), bin(`${twin.lesson}-client.strace`));
  const [clientCode, serverCode] = await Promise.all([client.exited, server.exited]);
  if (clientCode !== 0 || serverCode !== 0)
    throw new Error(`${twin.lesson} (${lang}): client exited ${clientCode}, server ${serverCode}\n${client.transcript()}\n${server.transcript()}`);
  const side = (e: Example, role: 'server' | 'client') =>
    lang === 'c' ? readFileSync(bin(`${twin.lesson}-${role}.strace`), 'utf8') : e.transcript().split('\nstderr:\n')[1]!;
  return { server: side(server, 'server'), client: side(client, 'client') };
}

/** Compiles every twin's C programs into `dir` (`<lesson>-server`, `<lesson>-client`). */
export function compileTwins(dir: string): void {
  for (const { lesson, folder } of TWINS)
    for (const role of ['server', 'client']) execFileSync('cc', ['-O1', '-o', join(dir, `${lesson}-${role}`), `examples/${folder}/${role}.c`]);
}

export const hasStrace = spawnSync('strace', ['-V']).status === 0;
export const hasCc = spawnSync('cc', ['--version']).status === 0;

/** Where the recorded, normalized strace of a C twin lives. */
export const fixture = (lesson: string, role: 'server' | 'client'): URL => new URL(`./fixtures/twins/${lesson}.${role}.strace`, import.meta.url);
