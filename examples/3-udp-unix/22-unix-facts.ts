// Lesson: what UNIX-domain sockets do that TCP and UDP cannot.
//  1. SO_PEERCRED: the kernel tells a server who the client is (pid, uid,
//     gid), taken at connect time; no password crosses the socket.
//  2. SCM_RIGHTS: an open fd passes to another process (here to the other
//     end of a socketpair): the receiver gets a new fd number for the same
//     open file, as dup would give.
//  3. SOCK_SEQPACKET: connected and reliable like a stream, with the
//     boundaries of datagrams; a record longer than the buffer is cut
//     (MSG_TRUNC in recvmsg's flags).
//  4. SOCK_DGRAM: boundaries kept, as UDP, but with flow control: a full
//     receiver makes send wait (or return -1 when non-blocking); nothing is lost.
//  5. A measured comparison: round trips of 64 bytes over a UNIX stream and
//     over TCP on loopback (the figures vary by machine; not asserted).
// Run: npx tsx examples/3-udp-unix/22-unix-facts.ts
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  AF_UNIX,
  MSG_DONTWAIT,
  MSG_TRUNC,
  CMSG_SPACE,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_RCVTIMEO,
  accept,
  bind,
  close,
  flagNames,
  getPeerCred,
  listen,
  pipe,
  read,
  recv,
  recvmsg,
  scmRights,
  send,
  sendmsg,
  setsockopt,
  socket,
  socketpair,
  write,
} from 'posix-sockets';
import { expectFact, finish, tcpPair } from '../common/lesson.js';

async function main(): Promise<void> {
  const buf = Buffer.alloc(4096);

  // 1. SO_PEERCRED, from a client in another process (Python's socket module).
  {
    const name = `\0posix-sockets-peercred-${process.pid}`;
    const lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    bind(lfd, { family: AF_UNIX, path: name });
    listen(lfd, 1);
    setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, { sec: 5, usec: 0 }); // accept waits 5 s at most, then returns -1
    const script = `import socket; s = socket.socket(socket.AF_UNIX); s.connect(${JSON.stringify(name)}); s.recv(1)`;
    const child = spawn('python3', ['-c', script], { stdio: 'ignore' });
    const closed = once(child, 'close');
    const conn = accept(lfd); // blocks until the child connects
    if (conn === -1) {
      console.log('not observed: the python3 client did not connect within 5 s');
      process.exit(1);
    }
    const cred = getPeerCred(conn);
    close(conn); // the child's recv returns, and it exits
    close(lfd);
    await closed;
    console.log(`1. SO_PEERCRED: the client is pid ${cred.pid}, uid ${cred.uid}, gid ${cred.gid}; the child process spawned was pid ${child.pid}`);
    expectFact(cred.pid === child.pid, 'SO_PEERCRED should name the client process');
  }

  // 2. SCM_RIGHTS: pass the write end of a pipe.
  {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM, 0);
    const [rfd, wfd] = pipe();
    sendmsg(a, { buffers: [Buffer.from('x')], control: [scmRights([wfd])] }); // at least one byte of data goes with it
    const got = recvmsg(b, [buf], { controlLength: CMSG_SPACE(4) });
    const passed = got.control[0]?.fds?.[0] ?? -1;
    close(wfd); // the sender's fd: the receiver's copy keeps the pipe open
    write(passed, Buffer.from('through the passed fd'));
    const n = read(rfd, buf);
    console.log(`2. SCM_RIGHTS: fd ${wfd} was sent and arrived as fd ${passed}; writing to ${passed} after closing ${wfd}, the pipe's reader read "${buf.toString('utf8', 0, n)}"`);
    expectFact(passed >= 0 && passed !== wfd && buf.toString('utf8', 0, n) === 'through the passed fd', 'the passed fd should reach the same pipe');
    [a, b, rfd, passed].forEach((fd) => close(fd));
  }

  // 3. SOCK_SEQPACKET: records.
  {
    const [a, b] = socketpair(AF_UNIX, SOCK_SEQPACKET, 0);
    for (const record of ['one', 'two two', 'a record of 30 bytes, too long']) send(a, Buffer.from(record));
    close(a);
    const small = Buffer.alloc(10);
    const results: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = recvmsg(b, [small]);
      results.push(r.bytes === 0 ? '0 (EOF)' : `${r.bytes}${r.flags & MSG_TRUNC ? ` ${flagNames(r.flags, 'MSG_')}` : ''}`);
    }
    console.log(`3. SOCK_SEQPACKET: 3 sends, then close; recvmsg into 10 bytes returned ${results.join(', ')}`);
    expectFact(results.join() === '3,7,10 MSG_TRUNC,0 (EOF)', 'SOCK_SEQPACKET should keep records, cut a long one and end with EOF');
    close(b);
  }

  // 4. SOCK_DGRAM: flow control instead of loss.
  {
    const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM, 0);
    const payload = Buffer.alloc(100, 0x64);
    let sent = 0;
    while (send(a, payload, payload.length, MSG_DONTWAIT) !== -1 && sent < 100_000) sent++;
    let received = 0;
    while (recv(b, buf, buf.length, MSG_DONTWAIT) !== -1) received++;
    console.log(`4. SOCK_DGRAM: ${sent} datagrams of 100 bytes sent before send returned -1 (EAGAIN: the receiver is full), and ${received} received: none lost`);
    expectFact(sent > 0 && received === sent, 'a UNIX datagram socket should block the sender, not drop');
    close(a);
    close(b);
  }

  // 5. Round trips, UNIX stream against TCP.
  {
    const rounds = 5000;
    const msg = Buffer.alloc(64, 0x65);
    const time = (x: number, y: number) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < rounds; i++) {
        write(x, msg);
        read(y, buf, msg.length);
        write(y, buf, msg.length);
        read(x, buf, msg.length);
      }
      return Number(process.hrtime.bigint() - t0) / rounds / 1000;
    };
    const [ua, ub] = socketpair(AF_UNIX, SOCK_STREAM, 0);
    const tcp = tcpPair();
    const unixUs = time(ua, ub);
    const tcpUs = time(tcp.client, tcp.server);
    console.log(
      `5. ${rounds} round trips of 64 bytes in one thread: UNIX stream ${unixUs.toFixed(1)} µs each, TCP on loopback ${tcpUs.toFixed(1)} µs (${(tcpUs / unixUs).toFixed(1)}x): no TCP/IP stack on the way`,
    );
    [ua, ub, tcp.client, tcp.server].forEach((fd) => close(fd));
  }
  finish('UNIX sockets: credentials and fds cross them, records keep their boundaries, and a full receiver slows the sender');
}
void main();
