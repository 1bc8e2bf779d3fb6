// Every lesson in examples/ runs as a reader runs it (npx tsx) and shows
// what its header comment says it shows.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as net from 'node:net';
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

  it('TIME_WAIT: the active closer keeps the port; SO_REUSEADDR lets a restart bind it', () => {
    const out = lesson('time-wait');
    expect(out).toContain("client, after the server's FIN: CLOSE_WAIT");
    expect(out).toMatch(/without SO_REUSEADDR:[\s\S]*TIME_WAIT on the server's port: 1[\s\S]*bind failed with EADDRINUSE/);
    expect(out).toMatch(/with SO_REUSEADDR[\s\S]*bind succeeded \(SO_REUSEADDR reads true\)/);
  });

  it('Nagle: both variants run, and TCP_NODELAY reads back as set', () => {
    const out = lesson('nagle', '5');
    expect(out).toMatch(/TCP_NODELAY false:\n {2}write-write-read with Nagle: median [\d.]+ ms/);
    expect(out).toMatch(/TCP_NODELAY true:\n {2}write-write-read with TCP_NODELAY: median [\d.]+ ms/);
  });

  it('keepalive: probes are answered, so the probed connection hears an ACK while the other hears nothing', () => {
    const out = lesson('keepalive', '2500');
    expect(out).toContain('SO_KEEPALIVE true, idle 1 s, interval 1 s, count 3');
    const quiet = Number(/without keepalive: last ACK received (\d+) ms ago/.exec(out)?.[1]);
    const alive = Number(/with keepalive: +last ACK received (\d+) ms ago/.exec(out)?.[1]);
    expect(quiet).toBeGreaterThanOrEqual(2400); // nothing was sent for 2.5 s
    expect(alive).toBeLessThan(1500); // probes go out every second after the first
  });

  it('C10K: epoll_wait and poll both find the one ready fd among many', () => {
    const out = lesson('c10k', '500');
    const lines = out.trim().split('\n');
    expect(lines.map((l) => /^\s*(\d+) connections, 1 ready/.exec(l)?.[1])).toEqual(['10', '100', '500']);
    for (const line of lines) expect(line).toMatch(/both found the ready fd: true$/);
  });

  it('SO_REUSEPORT: worker threads share one port, the kernel spreads the connections, eventfds stop them', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/reuseport-workers.ts', '2', '0', '30', '0'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not ready: ${out}`)), 15_000);
        child.stdout.on('data', () => {
          const m = /2 workers share port: (\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      const clients = 40;
      await Promise.all(
        Array.from({ length: clients }, async (_, i) => {
          const s = net.connect(port, '127.0.0.1');
          await once(s, 'connect');
          s.write(`hello ${i}`);
          const [data] = await once(s, 'data');
          expect(String(data)).toBe(`hello ${i}`);
          s.end();
          await once(s, 'close');
        }),
      );
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
      const counts: number[] = JSON.parse(/accepted per worker: (\[.*\])/.exec(out)![1]!);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(clients);
      expect(counts.every((c) => c > 0)).toBe(true); // 40 hashed connections all on one socket: odds 2^-39
    } finally {
      child.kill();
    }
  });
});
