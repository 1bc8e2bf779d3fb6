// A non-blocking TCP echo server on edge-triggered epoll, in blocking mode.
//
//   npx tsx examples/4-io-models/26-echo-et.ts [port] [clients]
//     port 0 or none: any free port; clients: stop after that many have
//     come and gone (none or 0: serve until ^C or SIGTERM)
//
// What it teaches. Edge-triggered (EPOLLET) means "tell me when it changes":
// epoll_wait reports an fd once per new arrival of data (or once per time
// the send buffer opens up), not while data sits unread. So on every event
// the server must DRAIN: read until read() returns -1 (EAGAIN), accept until
// accept4() returns -1. A server that reads once and goes back to
// epoll_wait can wait forever for bytes that are already there: no new
// edge comes for them. That is the whole contract; compare 4-io-models/25-echo-lt.ts,
// which reads once per event and is correct because LT reports again.
// examples/4-io-models/27-lt-vs-et.ts shows the stall with numbers.
//
// What it buys: each fd is registered ONCE, for EPOLLIN | EPOLLOUT | EPOLLET,
// and never modified. A full socket does not make every wait report it, as
// it would under LT; its EPOLLOUT edge comes once, when there is room again.
// What it costs: the read that proves the socket drained. When it stops,
// the server prints its wake-ups, reads and EAGAINs per echoed message:
// about two reads per wake-up here, the second an EAGAIN, where 4-io-models/25-echo-lt.ts
// has one read and no EAGAIN.
//
// The shape is the C program's: socket, bind, listen, epoll_create1,
// epoll_ctl(ADD), then a loop of epoll_wait and a service routine per fd. Any
// event (in, out, hup) leads to the same routine: send what is pending, then
// read until EAGAIN, since an edge says "something changed", not what. The
// loop (serve, below) owns its thread, a worker_thread; the main thread only
// starts it, and stops it on SIGINT or SIGTERM through an eventfd in its
// epoll set (examples/common/server-thread.ts says why).
import { isMainThread, workerData } from 'node:worker_threads';
import {
  AF_INET,
  EPOLLET,
  EPOLLIN,
  EPOLLOUT,
  EPOLLRDHUP,
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOMAXCONN,
  accept4,
  bind,
  close,
  epoll_create1,
  epoll_ctl,
  epoll_wait,
  getsockname,
  listen,
  read,
  socket,
  write,
} from 'posix-sockets';
import { type ServerJob, newCounts, reportCounts, reportListening, runServerThread } from '../common/server-thread.js';

const MAX_EVENTS = 64;

function serve({ port, clients, stopFd }: ServerJob): void {
  const lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
  bind(lfd, { family: AF_INET, address: '127.0.0.1', port });
  listen(lfd, SOMAXCONN);
  const bound = getsockname(lfd);
  reportListening(bound.family === AF_INET ? bound.port : 0);

  const epfd = epoll_create1(EPOLL_CLOEXEC);
  epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, EPOLLIN | EPOLLET);
  epoll_ctl(epfd, EPOLL_CTL_ADD, stopFd, EPOLLIN);

  const events = new Uint32Array(2 * MAX_EVENTS); // struct epoll_event events[MAX_EVENTS]
  const buf = new Uint8Array(64 * 1024);
  const pending = new Map<number, Uint8Array>(); // bytes read but not yet echoed
  const open = new Set<number>();
  const counts = newCounts();

  // Writes `data` from `start` to `end`; returns how much was sent (less when
  // the socket is full).
  function send(fd: number, data: Uint8Array, start: number, end: number): number {
    let off = start;
    while (off < end) {
      const w = write(fd, data, end - off, off);
      if (w === -1) break; // EAGAIN: the EPOLLOUT edge will bring us back
      off += w;
    }
    return off - start;
  }

  // Everything one connection can do now. Returns false when it is closed.
  function service(fd: number): boolean {
    // 1. Send what is pending. If it does not all go, stop here: reading more
    //    would only pile up more. The EPOLLOUT edge calls us again.
    const rest = pending.get(fd);
    if (rest !== undefined) {
      const sent = send(fd, rest, 0, rest.length);
      if (sent < rest.length) {
        pending.set(fd, rest.subarray(sent));
        return true;
      }
      pending.delete(fd);
    }
    // 2. Drain: read until EAGAIN (-1) or end of stream (0).
    for (;;) {
      const r = read(fd, buf);
      counts.reads++;
      if (r === -1) {
        counts.eagains++;
        return true; // drained: the next arrival is a new edge
      }
      if (r === 0) return false; // the peer closed
      counts.messages++;
      counts.bytes += r;
      const sent = send(fd, buf, 0, r);
      if (sent < r) {
        // Bytes still unread stay in the kernel; the EPOLLOUT edge resumes
        // this loop (step 1, then step 2 again).
        pending.set(fd, buf.slice(sent, r));
        return true;
      }
    }
  }

  let why = '';
  while (why === '') {
    const n = epoll_wait(epfd, events, MAX_EVENTS, -1);
    if (n > 1 || events[1] !== stopFd) counts.wakeups++; // the stop event is not the server's
    for (let i = 0; i < n; i++) {
      const fd = events[2 * i + 1];

      if (fd === stopFd) {
        why = 'told to stop';
        continue;
      }

      if (fd === lfd) {
        // Drain the accept queue: one edge may stand for many connections.
        for (let cfd; (cfd = accept4(lfd, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC)) !== -1; ) {
          epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
          open.add(cfd);
        }
        continue;
      }

      let alive: boolean;
      try {
        alive = service(fd);
      } catch {
        alive = false; // ECONNRESET, EPIPE: the peer is gone
      }
      if (!alive) {
        pending.delete(fd);
        open.delete(fd);
        close(fd); // also leaves the epoll set: this fd has no dup
        counts.clients++;
      }
    }
    if (clients > 0 && counts.clients >= clients) why = `served ${clients} client${clients === 1 ? '' : 's'}, as asked`;
  }
  for (const fd of open) close(fd);
  close(epfd);
  close(lfd);
  reportCounts(counts, why);
}

if (isMainThread) runServerThread(__filename, 'edge-triggered', Number(process.argv[2] ?? 0), Number(process.argv[3] ?? 0));
else serve(workerData as ServerJob);
