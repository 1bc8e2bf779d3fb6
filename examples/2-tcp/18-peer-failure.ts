// Lesson: what a client sees when its peer fails, in Stevens' three classic
// cases, between two hosts (network namespaces a and b, joined by a veth).
//  a. The server process dies (SIGKILL): its kernel lives on and closes the
//     process's fds as for any exit, so a FIN arrives and the client reads
//     0. The client's next write reaches a socket that no process holds: the
//     kernel answers with a RST, and the write after that fails with EPIPE.
//  b. The server host is gone (here: host b's packets are all dropped on its
//     side of the link). Nothing arrives, so an idle connection notices
//     nothing: it stays ESTABLISHED for ever. Keepalive (short TCP_KEEPIDLE,
//     TCP_KEEPINTVL, TCP_KEEPCNT) probes it and fails it with ETIMEDOUT after
//     the unanswered probes; TCP_USER_TIMEOUT fails a connection whose sent
//     data stays unacknowledged that long, ETIMEDOUT too.
//  c. The server host crashed and booted again: its namespace is deleted
//     (every socket it had is gone, and no segment tells the client) and made
//     again with the same address. The connection that noticed nothing in b
//     writes again: the new host has no such connection and answers with a
//     RST, and the client's read fails with ECONNRESET.
// Run (as root): npx tsx examples/2-tcp/18-peer-failure.ts
import { type ChildProcess } from 'node:child_process';
import {
  AF_INET,
  IPPROTO_TCP,
  MSG_DONTWAIT,
  POLLIN,
  PollFds,
  SOL_SOCKET,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_RCVTIMEO,
  TCP_KEEPCNT,
  TCP_KEEPIDLE,
  TCP_KEEPINTVL,
  TCP_USER_TIMEOUT,
  accept,
  bind,
  close,
  connect,
  getTcpInfo,
  getsockname,
  listen,
  poll,
  recv,
  send,
  setsockopt,
  type SockaddrIn,
} from 'posix-sockets';
import { expectFact, finish, outcome } from '../common/lesson.js';
import { drop, makeHosts, reboot, socketsIn, spawnIn } from '../common/netns.js';

const { a, b } = makeHosts();
const buf = Buffer.alloc(64);
const pfds = new PollFds(4);
const since = (t: number) => Math.round(performance.now() - t);

/** The first line of `child`'s stdout that matches `pattern`, or null when it ends first or 10 s pass. */
function line(c: ChildProcess, pattern: RegExp): Promise<RegExpExecArray | null> {
  return new Promise((resolve) => {
    let out = '';
    const timer = setTimeout(() => done(null), 10_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) done(m);
    };
    const done = (m: RegExpExecArray | null) => {
      clearTimeout(timer);
      c.stdout!.off('data', onData);
      c.off('exit', onExit);
      resolve(m);
    };
    const onExit = () => done(null);
    c.stdout!.on('data', onData);
    c.once('exit', onExit);
  });
}

/** "returned N", or "threw ECODE". */
const threw = (f: () => number) => {
  const o = outcome(f);
  return o.startsWith('returned') ? o : `threw ${o}`;
};

/** Waits at most `ms` for `fd` to become readable (data, a FIN, or an error); whether it did. */
function readable(fd: number, ms: number): boolean {
  pfds.set(0, fd, POLLIN);
  return poll(pfds, 1, ms) === 1;
}

// Every client socket is host a's, made up front: one for a, three for b and c.
const [killedClient, plain, probed, timed] = socketsIn(a, 4) as [number, number, number, number];

async function main(): Promise<void> {
  // a. The server process is killed.
  {
    const server = spawnIn(b, 'serve', b.address);
    const port = Number((await line(server, /listening on port (\d+)/))?.[1]);
    connect(killedClient, { family: AF_INET, address: b.address, port });
    const accepted = await line(server, /accepted fd (\d+) in pid (\d+)/);
    const exited = new Promise<string | null>((resolve) => server.once('exit', (_code, signal) => resolve(signal)));
    server.kill('SIGKILL'); // by its pid: ip netns exec ran node in its own process
    const signal = await exited;
    const eof = readable(killedClient, 1000) ? recv(killedClient, buf) : -1;
    const afterFin = getTcpInfo(killedClient).state;
    const first = outcome(() => send(killedClient, Buffer.from('hello?')));
    readable(killedClient, 1000); // the RST makes the socket readable (an error to report)
    const afterRst = getTcpInfo(killedClient).state;
    const second = outcome(() => send(killedClient, Buffer.from('anyone?')));
    const pid = Number(accepted?.[2]);
    console.log(
      `a. the server process (pid ${pid}, holding the connection as fd ${accepted?.[1]}) ended by ${signal}: the client's recv returned ${eof} (the FIN its kernel sent when it closed the fds), state ${afterFin}; the next send ${first}, the RST came back (state ${afterRst}), and the send after it threw ${second}`,
    );
    expectFact(pid === server.pid, `the server should be the process the lesson started and killed (pid ${pid}, started ${server.pid})`);
    expectFact(signal === 'SIGKILL' && eof === 0 && afterFin === 'CLOSE_WAIT', `a killed process's connection should end with a FIN (recv ${eof}, state ${afterFin})`);
    expectFact(first === 'returned 6' && afterRst === 'CLOSE' && second === 'EPIPE', `a write to the dead process should draw a RST, then EPIPE (${first}, ${afterRst}, ${second})`);
    close(killedClient);
  }

  // b. The host is gone: its side of the link drops every packet.
  const [lfd] = socketsIn(b, 1) as [number];
  bind(lfd, { family: AF_INET, address: b.address, port: 0 });
  listen(lfd, 4);
  setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, 3000);
  const server = getsockname(lfd) as SockaddrIn;
  setsockopt(probed, SOL_SOCKET, SO_KEEPALIVE, true);
  setsockopt(probed, IPPROTO_TCP, TCP_KEEPIDLE, 1); // first probe after 1 s of silence
  setsockopt(probed, IPPROTO_TCP, TCP_KEEPINTVL, 1); // then one a second
  setsockopt(probed, IPPROTO_TCP, TCP_KEEPCNT, 2); // 2 unanswered: ETIMEDOUT
  setsockopt(timed, IPPROTO_TCP, TCP_USER_TIMEOUT, 1500); // sent data unacknowledged for 1.5 s: ETIMEDOUT
  const peers = [plain, probed, timed].map((fd) => {
    connect(fd, server);
    return accept(lfd);
  });
  drop(b, 'all');
  const gone = performance.now();
  send(timed, Buffer.from('are you there?')); // will never be acknowledged
  console.log(`b. host b is gone (every packet it sends is dropped) ...`);
  {
    // Both failures come as readability (recv reports the error); wait for each, at most 8 s.
    const failedAt = new Map<number, number>();
    const fds = [probed, timed];
    const end = performance.now() + 8000;
    while (failedAt.size < fds.length && performance.now() < end) {
      const waiting = fds.filter((fd) => !failedAt.has(fd));
      waiting.forEach((fd, i) => pfds.set(i, fd, POLLIN));
      if (poll(pfds, waiting.length, Math.max(1, Math.round(end - performance.now()))) > 0)
        waiting.forEach((fd, i) => pfds.revents(i) !== 0 && failedAt.set(fd, since(gone)));
    }
    const report = (fd: number) => `${failedAt.has(fd) ? `after ${failedAt.get(fd)} ms` : 'not within 8 s'}: recv ${threw(() => recv(fd, buf))}, state ${getTcpInfo(fd).state}`;
    const keepalive = report(probed);
    const retrans = getTcpInfo(timed).total_retrans;
    const userTimeout = report(timed);
    const idle = getTcpInfo(plain);
    const idleRead = recv(plain, buf, buf.length, MSG_DONTWAIT);
    console.log(`   keepalive (idle 1 s, interval 1 s, count 2) failed the idle connection ${keepalive}`);
    console.log(`   TCP_USER_TIMEOUT 1500 ms failed the connection with unacknowledged data ${userTimeout} (${retrans} retransmissions sent)`);
    console.log(`   the idle connection without either noticed nothing: state ${idle.state} after ${since(gone)} ms, recv returned ${idleRead} (nothing to read)`);
    expectFact(keepalive.includes('ETIMEDOUT') && failedAt.has(probed), `keepalive should fail a connection to a gone host with ETIMEDOUT (${keepalive})`);
    expectFact(userTimeout.includes('ETIMEDOUT') && failedAt.has(timed), `TCP_USER_TIMEOUT should fail it with ETIMEDOUT (${userTimeout})`);
    expectFact(idle.state === 'ESTABLISHED' && idleRead === -1, `an idle connection should notice nothing (state ${idle.state}, recv ${idleRead})`);
  }

  // c. The host crashed and rebooted: same address, no connections.
  {
    // Its sockets vanish without a word: closed with SO_LINGER 0 (a RST, which
    // its own veth drops), so nothing holds the old namespace when it is deleted.
    for (const fd of [...peers, lfd]) {
      setsockopt(fd, SOL_SOCKET, SO_LINGER, { onoff: true, linger: 0 });
      close(fd);
    }
    const t = performance.now();
    reboot(a, b);
    const rebootMs = since(t);
    const before = getTcpInfo(plain).state;
    const sent = outcome(() => send(plain, Buffer.from('still there?')));
    const woke = readable(plain, 3000);
    const read = threw(() => recv(plain, buf));
    console.log(
      `c. host b rebooted in ${rebootMs} ms (namespace deleted and made again, same address ${b.address}); the idle connection, still ${before}, sent again: send ${sent}, the new host answered with a RST, and recv ${read}`,
    );
    expectFact(before === 'ESTABLISHED' && sent === 'returned 12' && woke && read === 'threw ECONNRESET', `a rebooted host should reset the old connection (state ${before}, send ${sent}, recv ${read})`);
  }

  for (const fd of [plain, probed, timed]) close(fd);
  finish('peer failure: a dead process sends a FIN, a gone host sends nothing (only a timeout tells), a rebooted host sends a RST');
}

void main();
