// Lesson: the TCP state machine, one state at a time, between two hosts.
//
// On loopback the handshake and the close take microseconds, so most states
// are never seen. Between two network namespaces (host a, the client, and
// host b, the server, joined by a veth pair) a lesson can drop segments on
// the link with tc and hold each state open long enough to read it:
//  1. The SYN-ACK is dropped: the client sits in SYN_SENT (its TCP_INFO),
//     and the server's kernel holds a request socket in SYN_RECV. That one
//     has no fd yet (accept has nothing to return), so it is read where the
//     kernel lists it: /proc/net/tcp of host b's namespace.
//  2. The drop is lifted: nothing happens until a retransmission timer fires
//     (1 s for a SYN, RFC 6298); the client sends its SYN again, the server
//     answers with its SYN-ACK again, and both sides are ESTABLISHED.
//  3. The client shuts down its sending side: its FIN reaches the server
//     (CLOSE_WAIT: the server has read 0) but the server's ACK of it is
//     dropped, so the client stays in FIN_WAIT1 ...
//  4. ... until the drop is lifted and the client's kernel sends the FIN
//     again when its retransmission timeout (RTO) runs out: the ACK comes
//     back, FIN_WAIT2. That RTO is 3 s here, not the usual 200 ms or so: a
//     handshake that needed a retransmission gave no round-trip sample, and
//     RFC 6298 (5.7) then falls back to 3 s.
//  5. The server shuts down too: LAST_ACK on its side, while the client's
//     ACK of that FIN is dropped. The client's socket is now CLOSE by
//     TCP_INFO: its connection moved to a TIME_WAIT socket, a smaller one the
//     kernel keeps for 60 s with no fd, which /proc/net/tcp of host a lists.
//  6. The drop is lifted: the server sends its FIN again, the TIME_WAIT socket
//     answers it with an ACK, and the server's side is CLOSE.
// Run (as root): npx tsx examples/2-tcp/17-states.ts
import {
  AF_INET,
  POLLIN,
  POLLOUT,
  PollFds,
  SHUT_WR,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_RCVTIMEO,
  accept,
  bind,
  close,
  connect,
  getTcpInfo,
  getsockname,
  listen,
  poll,
  recv,
  setsockopt,
  shutdown,
  type SockaddrIn,
} from 'posix-sockets';
import { expectFact, finish } from '../common/lesson.js';
import { drop, makeHosts, sleep, socketsIn, tcpTable, type Host } from '../common/netns.js';

const { a, b } = makeHosts();
const [client] = socketsIn(a, 1, SOCK_STREAM | SOCK_NONBLOCK) as [number];
const [lfd] = socketsIn(b, 1) as [number];
bind(lfd, { family: AF_INET, address: b.address, port: 0 });
listen(lfd, 4);
setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, 3000); // accept waits at most 3 s
const server: SockaddrIn = getsockname(lfd) as SockaddrIn;

const t0 = performance.now();
const now = () => Math.round(performance.now() - t0);
const state = (fd: number) => String(getTcpInfo(fd).state);
const fds = new PollFds(1);
/** Waits (at most `ms`) for `fd` to report `events`; whether it did. */
function waitFor(fd: number, events: number, ms: number): boolean {
  fds.set(0, fd, events);
  return poll(fds, 1, ms) === 1;
}
/** Re-reads `read` every 5 ms until it gives `want` or `ms` pass; what it gave last. */
function until(read: () => string | undefined, want: string, ms: number): string | undefined {
  let got = read();
  for (const end = now() + ms; got !== want && now() < end; got = read()) sleep(5);
  return got;
}
/** The state of the connection between `here` and `there` in host `h`'s /proc/net/tcp. */
const listed = (h: Host, here: string, there: string) => tcpTable(h).find((e) => e.local === here && e.remote === there)?.state;
function say(side: 'client' | 'server', st: string | undefined, where: string, why: string): void {
  console.log(`${String(now()).padStart(5)} ms  ${side.padEnd(6)}  ${String(st).padEnd(11)}  ${where.padEnd(16)}  ${why}`);
}

console.log(`client on host a (${a.address}, namespace ${a.ns}), server on host b (${b.address}:${server.port}, namespace ${b.ns})`);
console.log(`   time  side    state        read from         what happened`);

// 1. SYN_SENT and SYN_RECV: host b's SYN-ACKs are dropped.
let lift = drop(b, 'syn');
connect(client, server); // non-blocking: -1, EINPROGRESS; the SYN is on its way
const clientEnd = `${a.address}:${(getsockname(client) as SockaddrIn).port}`;
const serverEnd = `${b.address}:${server.port}`;
const synSent = state(client);
say('client', synSent, 'TCP_INFO', 'connect sent a SYN; no SYN-ACK has come back');
const synRecv = until(() => listed(b, serverEnd, clientEnd), 'SYN_RECV', 3000);
say('server', synRecv, 'b /proc/net/tcp', 'the SYN arrived; the kernel answered with a SYN-ACK, dropped on the link');
expectFact(synSent === 'SYN_SENT' && synRecv === 'SYN_RECV', `the handshake should hang in SYN_SENT/SYN_RECV (saw ${synSent}/${synRecv})`);

// 2. ESTABLISHED, after a retransmission.
let dropped = lift();
console.log(`${String(now()).padStart(5)} ms  (the drop is lifted, after dropping ${dropped} SYN-ACK; nothing is sent until a timer fires)`);
const connected = waitFor(client, POLLOUT, 4000);
const established = state(client);
const synRetrans = getTcpInfo(client).total_retrans;
say('client', established, 'TCP_INFO', `the SYN-ACK came through after the client sent its SYN again (${synRetrans} retransmission)`);
const conn = accept(lfd);
const serverEstablished = conn === -1 ? 'no connection' : state(conn);
say('server', serverEstablished, 'TCP_INFO', `accept returned fd ${conn}; the server's kernel retransmitted its SYN-ACK ${conn === -1 ? '?' : getTcpInfo(conn).total_retrans} times`);
expectFact(connected && established === 'ESTABLISHED' && serverEstablished === 'ESTABLISHED', 'the handshake should complete once the drop is lifted');
expectFact(synRetrans >= 1, `it should take a SYN retransmission (saw ${synRetrans})`);
if (conn === -1) finishNow();

// 3. FIN_WAIT1 and CLOSE_WAIT: host b's ACK of the client's FIN is dropped.
lift = drop(b, 'all');
shutdown(client, SHUT_WR); // the FIN
const finWait1 = state(client);
say('client', finWait1, 'TCP_INFO', `shutdown(SHUT_WR) sent a FIN; no ACK yet; it is sent again in ${getTcpInfo(client).rto / 1000} ms (the RTO)`);
const eof = waitFor(conn, POLLIN, 1000) ? recv(conn, Buffer.alloc(16)) : -1;
const closeWait = state(conn);
say('server', closeWait, 'TCP_INFO', `the FIN arrived: recv returned ${eof}; its ACK, delayed a little, is dropped on the link`);
// A FIN is acknowledged by a delayed ACK (the kernel waits up to 200 ms for
// a reply to carry it): the drop stays until that ACK has gone out, and been dropped.
sleep(300);
const stillFinWait1 = state(client);
say('client', stillFinWait1, 'TCP_INFO', 'still no ACK');
expectFact(finWait1 === 'FIN_WAIT1' && stillFinWait1 === 'FIN_WAIT1' && eof === 0 && closeWait === 'CLOSE_WAIT', `the FIN should leave FIN_WAIT1/CLOSE_WAIT (saw ${stillFinWait1}/${closeWait}, recv ${eof})`);

// 4. FIN_WAIT2: the drop is lifted; the FIN's retransmission is acknowledged.
const retransBefore = getTcpInfo(client).total_retrans;
dropped = lift();
console.log(`${String(now()).padStart(5)} ms  (the drop is lifted, after dropping ${dropped} ACK)`);
const finWait2 = until(() => state(client), 'FIN_WAIT2', 7000);
say('client', finWait2, 'TCP_INFO', `the client's kernel sent its FIN again (retransmissions ${retransBefore} -> ${getTcpInfo(client).total_retrans}); the ACK came back`);
expectFact(finWait2 === 'FIN_WAIT2', `the FIN's retransmission should be acknowledged (saw ${finWait2})`);

// 5. LAST_ACK and TIME_WAIT: host a's ACK of the server's FIN is dropped.
lift = drop(a, 'all');
shutdown(conn, SHUT_WR);
const lastAck = state(conn);
say('server', lastAck, 'TCP_INFO', 'shutdown(SHUT_WR) sent its FIN; no ACK for it yet');
const timeWait = until(() => listed(a, clientEnd, serverEnd), 'TIME_WAIT', 3000);
say('client', timeWait, 'a /proc/net/tcp', "the FIN arrived; the client's ACK is dropped on the link");
const clientFd = state(client);
say('client', clientFd, 'TCP_INFO', 'the fd no longer holds the connection: the TIME_WAIT socket does');
expectFact(lastAck === 'LAST_ACK' && timeWait === 'TIME_WAIT' && clientFd === 'CLOSE', `the last FIN should leave LAST_ACK/TIME_WAIT (saw ${lastAck}/${timeWait}, the client's fd ${clientFd})`);

// 6. CLOSE: the drop is lifted; the TIME_WAIT socket acknowledges the FIN again.
dropped = lift();
console.log(`${String(now()).padStart(5)} ms  (the drop is lifted, after dropping ${dropped} ACK)`);
const closed = until(() => state(conn), 'CLOSE', 5000);
say('server', closed, 'TCP_INFO', "it sent its FIN again and the client's TIME_WAIT socket acknowledged it");
const stillTimeWait = listed(a, clientEnd, serverEnd);
say('client', stillTimeWait, 'a /proc/net/tcp', 'for 60 s, so that late segments of this connection die with it');
expectFact(closed === 'CLOSE' && stillTimeWait === 'TIME_WAIT', `the server should close and the client stay in TIME_WAIT (saw ${closed}/${stillTimeWait})`);

finishNow();

function finishNow(): never {
  for (const fd of [client, conn, lfd]) if (fd >= 0) close(fd);
  finish('states: SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT1, CLOSE_WAIT, FIN_WAIT2, LAST_ACK, TIME_WAIT, CLOSE, each seen as it happened');
  process.exit(0);
}
