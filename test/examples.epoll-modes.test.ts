// The lessons on epoll's modes, run as their readers run them (tsx, a child
// process), and held to the facts they print: LT against ET counted, the ET
// reader that stalls with bytes unread, EPOLLONESHOT's one thread per event,
// the thundering herd and EPOLLEXCLUSIVE, and the echo servers' counts when
// they stop. Relationships between counts, never times.
import { afterEach, describe, expect, it } from 'vitest';
import { AF_INET, SHUT_WR, SOCK_STREAM, close, connect, read, shutdown, socket, write } from '../lib/index.js';
import { type Example, runExample, startExample, stopExamples } from './run-example.js';

afterEach(stopExamples);

/** The numbers of the first line of `out` that `pattern` matches, or a failure that shows the output. */
function numbers(out: string, pattern: RegExp): number[] {
  const m = pattern.exec(out);
  expect(m, `${pattern} in:\n${out}`).not.toBeNull();
  return m!.slice(1).map(Number);
}

describe('examples/4-io-models/27-lt-vs-et.ts', () => {
  it('counts fewer wake-ups for ET than for LT with one read per event, and an ET reader that does not drain stalls', async () => {
    const out = await runExample('4-io-models/27-lt-vs-et.ts');
    const way = (name: string) =>
      numbers(out, new RegExp(`${name}: (\\d+) wake-ups \\(epoll_wait returns\\), (\\d+) events, (\\d+) reads with data, (\\d+) EAGAINs; (\\d+) of 32768 bytes, intact`));
    const [ltWake, ltEvents, ltReads, ltEagain, ltBytes] = way('level-triggered, one read per event');
    const [ldWake, , ldReads, ldEagain, ldBytes] = way('level-triggered, drained');
    const [etWake, etEvents, etReads, etEagain, etBytes] = way('edge-triggered, drained');
    expect([ltBytes, ldBytes, etBytes]).toEqual([32768, 32768, 32768]);
    // LT, one read per event: every read cost one wake-up, and none found nothing.
    expect(ltReads).toBeGreaterThanOrEqual(32); // 8 messages / 1024-byte buffer, at least
    expect(ltWake).toBe(ltReads);
    expect(ltEvents).toBe(ltWake);
    expect(ltEagain).toBe(0);
    // ET drains: fewer wake-ups for the same reads, each drain ending in EAGAIN.
    expect(etWake).toBeLessThan(ltWake);
    expect(etEvents).toBe(etWake);
    expect(etReads).toBeGreaterThanOrEqual(32);
    expect(etEagain).toBe(etWake);
    // LT drained costs the same as ET drained would: it is the drain that saves.
    expect(ldWake).toBeLessThan(ltWake);
    expect(ldEagain).toBe(ldWake);
    expect(ldReads).toBeGreaterThanOrEqual(32);
    // The ET reader that reads once per event.
    expect(out).toContain(
      'ET, one read per event: woke 1 time(s) and read 1024 bytes; then epoll_wait timed out after 200 ms (returned 0) while FIONREAD says 3072 bytes wait in the socket',
    );
    expect(out).toContain('a second message is a new edge: woke 1 time(s), read 1024 bytes, and now 6144 bytes wait');
    expect(out).toContain('a drain (read until EAGAIN) gets them back: 6 reads, 6144 bytes, and FIONREAD says 0');
  });
});

describe('examples/4-io-models/28-oneshot.ts', () => {
  it('goes quiet after one event until EPOLL_CTL_MOD, and gives the socket to one thread where LT and ET give it to two', async () => {
    const out = await runExample('4-io-models/28-oneshot.ts');
    expect(out).toContain('EPOLLONESHOT: the first epoll_wait returned 1; after a read of 10 bytes, epoll_wait returned 0 in 100 ms with 90 bytes unread');
    expect(out).toContain('50 new bytes: epoll_wait returned 0 with 140 bytes unread (ET would report them); after epoll_ctl(EPOLL_CTL_MOD) it returned 1 at once');
    const pool = (name: string) => numbers(out, new RegExp(`^${name}: 2 messages woke (\\d) of 4 threads \\((\\d+) wake-ups?, .*\\); at most (\\d) held the socket at once; (\\d+) reads? found nothing`, 'm'));
    const [ltWoke, , ltMost] = pool('LT');
    const [etWoke, , etMost] = pool('ET');
    const [oneWoke, oneWakeups, oneMost, oneEmpty] = pool('EPOLLONESHOT');
    expect(ltMost).toBeGreaterThanOrEqual(2);
    expect(ltWoke).toBeGreaterThanOrEqual(2);
    expect(etMost).toBe(2);
    expect(etWoke).toBe(2);
    expect([oneWoke, oneWakeups, oneMost, oneEmpty]).toEqual([1, 1, 1, 0]);
  });
});

describe('examples/4-io-models/29-thundering-herd.ts', () => {
  it('wakes every waiter for each connection without EPOLLEXCLUSIVE, and fewer with it', async () => {
    const out = await runExample('4-io-models/29-thundering-herd.ts');
    const herd = (name: string) => numbers(out, new RegExp(`${name}: (\\d+) connections woke (\\d+) waiters .*; (\\d+) of the accept4 calls found the queue empty`));
    const [plainConns, plainWoke, plainFutile] = herd('without EPOLLEXCLUSIVE');
    const [exclConns, exclWoke, exclFutile] = herd('with EPOLLEXCLUSIVE');
    expect(plainConns).toBe(3);
    expect(exclConns).toBe(3);
    // Four waiters: all four woke for each connection, and three of them for nothing.
    expect(out).toContain('without EPOLLEXCLUSIVE: 3 connections woke 12 waiters (per connection [4,4,4]');
    expect(plainWoke).toBe(12);
    expect(plainFutile).toBe(9);
    expect(exclWoke).toBeGreaterThanOrEqual(3);
    expect(exclWoke).toBeLessThan(plainWoke);
    expect(exclFutile).toBe(exclWoke - 3);
  });
});

// The echo servers' counts when they stop.
async function start(file: string, args: string[]): Promise<{ server: Example; port: number }> {
  const server = startExample(file, args);
  return { server, port: Number((await server.waitFor(/listening (\d+)/))[1]) };
}

// A client on blocking sockets: sends each line and waits for its echo, as
// lesson 2's client does; then half-closes and reads the server's close,
// unless `stay` (it returns the open fd then, for the caller to close).
function client(port: number, lines: string[], stay = false): number {
  const fd = socket(AF_INET, SOCK_STREAM);
  try {
    connect(fd, { family: AF_INET, address: '127.0.0.1', port });
    const buf = new Uint8Array(1024);
    for (const line of lines) {
      const data = Buffer.from(line);
      write(fd, data);
      for (let got = 0; got < data.length; ) got += read(fd, buf, data.length - got, got);
      expect(Buffer.from(buf.subarray(0, data.length)).toString()).toBe(line);
    }
    if (stay) return fd;
    shutdown(fd, SHUT_WR);
    expect(read(fd, buf)).toBe(0);
  } catch (e) {
    close(fd);
    throw e;
  }
  close(fd);
  return -1;
}

function counts(out: string, mode: string) {
  const [clients, bytes, messages] = numbers(out, new RegExp(`${mode}: stopped \\([^)]*\\) after (\\d+) client\\(s\\): (\\d+) bytes echoed in (\\d+) messages`));
  const [wakeups, reads, eagains] = numbers(out, /in all: (\d+) wake-ups \(epoll_wait returns\), (\d+) reads, (\d+) EAGAINs/);
  expect(out).toMatch(/per message: [\d.]+ wake-ups, [\d.]+ reads, [\d.]+ EAGAINs/);
  return { clients, bytes, messages, wakeups, reads, eagains };
}

describe('the echo servers count their wake-ups, reads and EAGAINs', () => {
  const lines = ['hello\n', 'echo, echo\n', 'the third line\n'];

  it('4-io-models/25-echo-lt.ts stops after the clients asked for: one read per wake-up at most, and no EAGAIN', async () => {
    const { server, port } = await start('4-io-models/25-echo-lt.ts', ['0', '2']);
    client(port, lines);
    client(port, lines);
    expect(await server.exited).toBe(0); // by itself, after the second client
    const out = server.stdout();
    expect(out).toContain('level-triggered: stopped (served 2 clients, as asked) after 2 client(s)');
    const c = counts(out, 'level-triggered');
    expect(c.bytes).toBe(2 * lines.join('').length);
    expect(c.messages).toBeGreaterThanOrEqual(6);
    expect(c.eagains).toBe(0);
    expect(c.reads).toBe(c.messages + 2); // and one end of stream per client
    expect(c.reads).toBeLessThanOrEqual(c.wakeups);
  });

  it('4-io-models/26-echo-et.ts stops on SIGTERM: every drain ends with a read that returns EAGAIN or end of stream', async () => {
    const { server, port } = await start('4-io-models/26-echo-et.ts', ['0']);
    client(port, lines);
    client(port, lines);
    // A third client stays connected and quiet: the drain after its last
    // echo can only end in EAGAIN. (A line that arrives before a drain's
    // last read is read in the same wake-up, so how many drains the
    // others' lines took varies from run to run.)
    const quiet = client(port, lines, true);
    try {
      // The server has counted the first two clients' end of stream once it
      // is back in epoll_wait, which it is before the third client's echo.
      process.kill(server.child.pid!, 'SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      close(quiet);
    }
    const out = server.stdout();
    expect(out).toContain('edge-triggered: stopped (SIGTERM) after 2 client(s)');
    const c = counts(out, 'edge-triggered');
    expect(c.bytes).toBe(3 * lines.join('').length);
    expect(c.messages).toBeGreaterThanOrEqual(3);
    expect(c.eagains).toBeGreaterThanOrEqual(1);
    expect(c.reads).toBe(c.messages + c.eagains + 2); // every read: data, EAGAIN, or one end of stream per closed client
  });

  it('4-io-models/25-echo-lt.ts stops on SIGINT too, with no client at all', async () => {
    const { server } = await start('4-io-models/25-echo-lt.ts', ['0']);
    process.kill(server.child.pid!, 'SIGINT');
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toContain('level-triggered: stopped (SIGINT) after 0 client(s): 0 bytes echoed in 0 messages');
  });
});
