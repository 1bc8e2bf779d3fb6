// The course's single-file lessons (UDP, UNIX, the send buffer, framing,
// closing, connecting, select/poll/epoll, getaddrinfo, other runtimes) run as a
// reader runs them and print the facts they teach; each exits 1 when the
// kernel showed something else, so runExample's exit check already asserts
// them all, and the lines below pin the figures a reader is told to look for.
import { afterEach, describe, expect, it } from 'vitest';
import { runExample, stopExamples } from './run-example.js';

afterEach(stopExamples);

describe('course lessons', () => {
  it('udp/facts: one socket for many peers, boundaries, MSG_TRUNC, ECONNREFUSED only when connected, losses', async () => {
    const out = await runExample('3-udp-unix/20-udp-facts.ts');
    expect(out).toMatch(/^1\. one socket, 3 peers \(ports \d+, \d+, \d+\): each got its own reply/m);
    expect(out).toContain('2. sent datagrams of 1, 0, 1000, 100 bytes; the recvfroms returned 1, 0, 1000, 100');
    expect(out).toContain('recvfrom returned 10; with MSG_TRUNC it returned 100 (the real length); the other 90 bytes are gone (the next recvfrom: -1');
    expect(out).toMatch(/the connected socket's send returned 7, then its recv threw ECONNREFUSED; the unconnected socket's sendto returned 7, and its recvfrom returned -1/);
    const [, sent, ok, got] = /5\. sent (\d+) datagrams .* and (\d+) sends succeeded; the receiver \(SO_RCVBUF \d+\) got (\d+)/.exec(out)!;
    expect(Number(ok)).toBe(Number(sent));
    expect(Number(got)).toBeLessThan(Number(sent));
  });

  it('tcp/send-buffer: SO_SNDBUF doubled; written bytes sit in the two queues; SIOCOUTQ empties when the peer reads', async () => {
    const out = await runExample('2-tcp/11-send-buffer.ts');
    expect(out).toContain('setsockopt(SO_SNDBUF, 16384), then getsockopt reads 32768');
    const [, total, peer, ours] = /the total stopped at (\d+); (\d+) of them wait in the peer's receive queue \(FIONREAD\) and (\d+) in our send queue/.exec(out)!;
    expect(Number(peer) + Number(ours)).toBe(Number(total));
    expect(Number(ours)).toBeGreaterThan(0);
    expect(out).toContain(`the peer read ${total} bytes; now SIOCOUTQ is 0`);
  });

  it('tcp/framing: a frame in three pieces, recvs of 2, 7, 14 bytes, one frame out; lines across sends', async () => {
    const out = await runExample('2-tcp/10-framing.ts');
    expect(out).toContain('the recvs returned 2, 7, 14 bytes');
    expect(out).toContain('frames complete after each: 0, 0, 1; the parser yielded ["hello, framed world"]');
    expect(out).toContain('gave lines ["alpha"] then ["beta","gamma"] then ["delta"]');
  });

  it('tcp/closing: FIN reads 0, RST reads ECONNRESET, a dup keeps the connection, EPIPE after the peer closed', async () => {
    const out = await runExample('2-tcp/14-closing.ts');
    expect(out).toContain('then read returned 0 (the FIN); states FIN_WAIT2/CLOSE_WAIT');
    expect(out).toContain("the peer's first read returned 10 (the bytes that had already arrived), the next threw ECONNRESET");
    expect(out).toContain("the server closed with 32 bytes unread: the client's read threw ECONNRESET");
    expect(out).toMatch(/peer's read returned -1 \(nothing, no FIN: fd \d+ still holds the connection\); after shutdown\(\d+, SHUT_WR\) it returned 0/);
    expect(out).toContain('our first send returned 5 (the peer\'s kernel answers it with a RST), the second threw EPIPE, and a read returned 0');
  });

  it('tcp/connecting: ECONNREFUSED at once; non-blocking connect, poll, SO_ERROR; a timeout in SYN_SENT', async () => {
    const out = await runExample('2-tcp/09-connecting.ts');
    expect(out).toMatch(/where nobody listens: threw ECONNREFUSED/);
    expect(out).toContain('non-blocking connect returned -1; to a listener poll returned 1 (POLLOUT) and SO_ERROR 0: connected');
    expect(out).toMatch(/to nobody poll returned 1 \([A-Z|]+\) and SO_ERROR 111: ECONNREFUSED/);
    expect(out).toMatch(/poll returned 0 after \d+ ms \(the 300 ms timeout\), the socket still in SYN_SENT/);
  });

  it('unix/facts: SO_PEERCRED names the client, SCM_RIGHTS passes an fd, SEQPACKET keeps records, DGRAM loses nothing', async () => {
    const out = await runExample('3-udp-unix/22-unix-facts.ts');
    const [, credPid, childPid] = /SO_PEERCRED: the client is pid (\d+), uid \d+, gid \d+; the child process spawned was pid (\d+)/.exec(out)!;
    expect(credPid).toBe(childPid);
    expect(out).toMatch(/SCM_RIGHTS: fd (\d+) was sent and arrived as fd (?!\1\b)\d+; .* the pipe's reader read "through the passed fd"/);
    expect(out).toContain('SOCK_SEQPACKET: 3 sends, then close; recvmsg into 10 bytes returned 3, 7, 10 MSG_TRUNC, 0 (EOF)');
    const [, sent, received] = /SOCK_DGRAM: (\d+) datagrams of 100 bytes sent before send returned -1 .*, and (\d+) received: none lost/.exec(out)!;
    expect(Number(sent)).toBeGreaterThan(0);
    expect(received).toBe(sent);
    expect(out).toMatch(/round trips of 64 bytes in one thread: UNIX stream [\d.]+ µs each, TCP on loopback [\d.]+ µs/);
  });

  it('io/select-poll-epoll: the same server under each; FD_SET(1024) is a RangeError, poll takes fd 1500', async () => {
    const out = await runExample('4-io-models/24-select-poll-epoll.ts');
    for (const kind of ['select', 'poll', 'epoll']) expect(out).toMatch(new RegExp(`^${kind}: 3 of 3 clients got their line back`, 'm'));
    expect(out).toContain('FD_SETSIZE is 1024: FD_SET(1024, set) threw RangeError');
    expect(out).toMatch(/poll watches fd 15\d\d as any other \(returned 1, revents POLLIN\)/);
  });

  it('netdb/getaddrinfo: one server and one client function for 127.0.0.1 and ::1', async () => {
    const out = await runExample('1-basics/04-getaddrinfo.ts');
    expect(out).toMatch(/^127\.0\.0\.1: the server bound AF_INET 127\.0\.0\.1 \(addrlen 16\) port \d+; the client tried 127\.0\.0\.1: connected; the server saw it come from 127\.0\.0\.1; it read "hello"$/m);
    expect(out).toMatch(/^::1: the server bound AF_INET6 ::1 \(addrlen 28\) port \d+; the client tried ::1: connected; the server saw it come from ::1; it read "hello"$/m);
    expect(out).toMatch(/against a server on 127\.0\.0\.1 the client tried (.*, )?127\.0\.0\.1: connected/);
    expect(out).toContain('with AI_NUMERICHOST threw GaiError EAI_NONAME');
  });

  it('interop/other-runtimes: Python, net and a net.Socket over a library fd talk to one server', async () => {
    const out = await runExample('4-io-models/31-other-runtimes.ts');
    expect(out).toContain(`python3's socket module got: "server: you sent 17 bytes: hello from python"`);
    expect(out).toContain('node:net got: "server: you sent 14 bytes: hello from net"');
    expect(out).toMatch(/a net\.Socket over fd (\d+) \(from socket\(\) and connect\(\)\) got: "server: you sent 3\d bytes: hello from a net\.Socket on fd \1"/);
  });
});
