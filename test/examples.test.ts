// Every lesson in examples/ runs as a reader runs it (npx tsx) and shows
// what its header comment says it shows. The epoll echo servers, which need
// many clients at once, are in examples.epoll.test.ts.
import { once } from 'node:events';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runExample, startExample, stopExamples } from './run-example.js';

afterEach(stopExamples);

const lesson = (name: string, ...args: string[]) => runExample(`${name}.ts`, args);

async function echoOnce(port: number, payload: Buffer): Promise<Buffer> {
  const s = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  s.on('data', (d) => chunks.push(d));
  await once(s, 'connect');
  s.end(payload); // write everything, then half-close: the server sees EOF
  await once(s, 'close');
  return Buffer.concat(chunks);
}

describe('examples/1-basics/03-echo-server.ts', () => {
  it('echoes every byte to each client in turn, survives a client that resets, then exits after the last', async () => {
    const server = startExample('1-basics/03-echo-server.ts', ['0', '3']);
    const port = Number((await server.waitFor(/port: (\d+)/))[1]);
    expect(server.stdout()).toContain(`listening on { family: 'AF_INET', address: '127.0.0.1', port: ${port} }`);
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    expect((await echoOnce(port, big)).equals(big)).toBe(true);
    // A client that sends a lot, reads nothing and resets: the server's
    // write fails (ECONNRESET or EPIPE), and it must go on to the next.
    const rude = net.connect(port, '127.0.0.1');
    await once(rude, 'connect');
    rude.write(big);
    await new Promise((resolve) => setTimeout(resolve, 50));
    rude.resetAndDestroy();
    await once(rude, 'close');
    expect((await echoOnce(port, Buffer.from('third client'))).toString()).toBe('third client');
    expect(await server.exited).toBe(0);
  });
});

describe('lessons', () => {
  it('handshake: connect completes before accept, and early data waits in the queue', async () => {
    const out = await lesson('2-tcp/07-handshake');
    expect(out).toContain('client wrote 18 bytes before the server accepted');
    expect(out).toContain('the server reads 18 bytes that were already waiting: "sent before accept"');
    expect(out).toMatch(/peer port \d+: true/);
    expect(out).toMatch(/server listening on \{ family: 'AF_INET', address: '127\.0\.0\.1', port: \d+ \}/);
  });

  it('udp-gso: one send with UDP_SEGMENT arrives as 10 datagrams; with UDP_GRO, in fewer, larger reads', async () => {
    const out = await lesson('5-performance/34-udp-gso');
    expect(out).toContain('sender: 1 send() of 10000 bytes with UDP_SEGMENT=1000');
    expect(out).toContain('receiver: 10 recv() calls, one datagram each, of 1000 bytes');
    const reads = Number(/receiver with UDP_GRO: (\d+) recvmsg\(\) call\(s\) for the same 10 datagrams/.exec(out)?.[1]);
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThan(10);
    const lines = [...out.matchAll(/read (\d+) bytes \(\d+ datagrams\), control message SOL_UDP\/UDP_GRO = 1000/g)];
    expect(lines).toHaveLength(reads);
    expect(lines.reduce((sum, m) => sum + Number(m[1]), 0)).toBe(10_000);
  });

  it('backlog: the accept queue holds backlog + 1 connections; the rest wait', async () => {
    const out = await lesson('2-tcp/08-backlog', '3', '9');
    expect(out).toContain('listen backlog 3: 4 of 9 connections completed the handshake');
    expect(out).toContain('5 are still waiting');
    expect(out).toContain('accept() found 4 connections queued');
  });

  it('half-close: the server reads EOF and can still reply', async () => {
    const out = await lesson('2-tcp/13-half-close');
    expect(out).toContain('server: read 31 bytes, then read() returned 0 (EOF)');
    expect(out).toContain('client: got "you sent 31 bytes", then read() returned 0 (EOF)');
  });

  it('message boundaries: TCP merges sends, framing restores them, UDP keeps them', async () => {
    const out = await lesson('1-basics/06-message-boundaries');
    expect(out).toContain('TCP: 3 sends, 1 recv got 11 bytes: "onetwothree"');
    expect(out).toContain('TCP with length-prefix framing: ["one","two","three"]');
    expect(out).toContain('UDP: 3 sendtos, 3 recvfroms: ["one","two","three"]');
  });

  it('blocking vs non-blocking: -1 at once, or a wait until the peer sends', async () => {
    const out = await lesson('1-basics/05-blocking-vs-nonblocking');
    expect(out).toMatch(/recv\(MSG_DONTWAIT\) on an empty socket: -1/);
    expect(out).toMatch(/recv\(\) with O_NONBLOCK set: -1/);
    const waited = Number(/returned 14 bytes "worth the wait" after (\d+) ms/.exec(out)?.[1]);
    expect(waited).toBeGreaterThanOrEqual(190); // the peer sends after 200 ms, so no sooner
  });

  it('TIME_WAIT: the active closer keeps the port; SO_REUSEADDR lets a restart bind it', async () => {
    const out = await lesson('2-tcp/15-time-wait');
    expect(out).toContain("client, after the server's FIN: CLOSE_WAIT");
    expect(out).toMatch(/without SO_REUSEADDR:[\s\S]*TIME_WAIT on the server's port: [1-9]\d*[\s\S]*bind failed with EADDRINUSE/);
    expect(out).toMatch(/with SO_REUSEADDR[\s\S]*bind succeeded \(SO_REUSEADDR reads true\)/);
  });

  it('Nagle: both variants run, and TCP_NODELAY reads back as set', async () => {
    const out = await lesson('2-tcp/12-nagle', '5');
    expect(out).toMatch(/TCP_NODELAY false:\n {2}write-write-read with Nagle: median [\d.]+ ms/);
    expect(out).toMatch(/TCP_NODELAY true:\n {2}write-write-read with TCP_NODELAY: median [\d.]+ ms/);
  });

  it('keepalive: probes are answered, so the probed connection hears an ACK while the other hears nothing', async () => {
    const out = await lesson('2-tcp/16-keepalive', '2500');
    expect(out).toContain('SO_KEEPALIVE true, idle 1 s, interval 1 s, count 3');
    const quiet = Number(/without keepalive: last ACK received (\d+) ms ago/.exec(out)?.[1]);
    const alive = Number(/with keepalive: +last ACK received (\d+) ms ago/.exec(out)?.[1]);
    expect(quiet).toBeGreaterThanOrEqual(2400); // nothing was sent for 2.5 s
    expect(alive).toBeLessThan(1500); // probes go out every second after the first
  });

  it('C10K: epoll_wait and poll both find the one ready fd among many', async () => {
    const out = await lesson('5-performance/32-c10k', '500');
    const lines = out.trim().split('\n');
    expect(lines.map((l) => /^\s*(\d+) connections, 1 ready/.exec(l)?.[1])).toEqual(['10', '100', '500']);
    for (const line of lines) expect(line).toMatch(/both found the ready fd: true$/);
  });

  it('SO_REUSEPORT: worker threads share one port, the kernel spreads the connections, eventfds stop them', async () => {
    const workers = startExample('5-performance/33-reuseport-workers.ts', ['2', '0', '30', '0']);
    const port = Number((await workers.waitFor(/2 workers share port: (\d+)/))[1]);
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
    process.kill(workers.child.pid!, 'SIGTERM');
    expect(await workers.exited).toBe(0);
    const counts: number[] = JSON.parse(/accepted per worker: (\[.*\])/.exec(workers.stdout())![1]!);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(clients);
    expect(counts.every((c) => c > 0)).toBe(true); // 40 hashed connections all on one socket: odds 2^-39
  });
});
