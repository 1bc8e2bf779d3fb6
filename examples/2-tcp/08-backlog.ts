// Lesson: listen(fd, backlog) bounds the queue of connections that finished
// the handshake but were not accepted yet.
//
// Linux keeps at most backlog + 1 connections in the accept queue. Once it is
// full, the kernel drops new SYNs, so those clients stay "in progress" and
// retry their SYN after a second; they are not refused. A server that accepts
// too slowly looks, from outside, like a network that loses packets.
// (net.ipv4.tcp_abort_on_overflow decides only what happens to a handshake's
// final ACK that finds the queue full: dropped when 0, the default, or
// answered with a reset when 1; such a client believes it is connected.)
// Run: npx tsx examples/2-tcp/08-backlog.ts [backlog] [clients]
import { AF_INET, EALREADY, SOCK_NONBLOCK, SOCK_STREAM, SocketError, accept, bind, close, connect, getsockname, listen, socket } from 'posix-sockets';

const backlog = Number(process.argv[2] ?? 2);
const clients = Number(process.argv[3] ?? 8);

const lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
bind(lfd, { family: AF_INET, address: '127.0.0.1', port: 0 });
listen(lfd, backlog);
const addr = getsockname(lfd) as { family: typeof AF_INET; address: string; port: number };

const fds: number[] = [];
for (let i = 0; i < clients; i++) {
  const fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
  connect(fd, addr); // -1: in progress (or 0 when loopback finishes at once)
  fds.push(fd);
}

// Ask each client how its connect went: Linux reports a finished connect once
// to the next connect() call (0), and EALREADY while it is still in progress.
let established = 0;
let waiting = 0;
for (const fd of fds) {
  try {
    connect(fd, addr);
    established++;
  } catch (e) {
    if (e instanceof SocketError && e.code === 'EISCONN') established++;
    else if (e instanceof SocketError && e.errno === EALREADY) waiting++;
    else throw e;
  }
}
console.log(`listen backlog ${backlog}: ${established} of ${clients} connections completed the handshake`);
console.log(`${waiting} are still waiting: their SYNs were dropped because the accept queue was full`);

let accepted = 0;
for (let fd; (fd = accept(lfd)) !== -1; accepted++) close(fd);
console.log(`accept() found ${accepted} connections queued (backlog + 1 = ${backlog + 1})`);
for (const fd of fds) close(fd);
close(lfd);
