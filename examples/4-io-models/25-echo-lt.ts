// A non-blocking TCP echo server on level-triggered epoll, in blocking mode.
//
//   npx tsx examples/4-io-models/25-echo-lt.ts [port] [clients]
//     port 0 or none: any free port; clients: stop after that many have
//     come and gone (none or 0: serve until ^C or SIGTERM)
//
// What it teaches. Level-triggered (the default) means "tell me while it is
// true": epoll_wait reports an fd for as long as it has unread data (or room
// to write). So the loop may do just ONE read per event, and one accept per
// event on the listener; anything left is reported again by the next wait.
// Nothing can be lost by reading too little, which is why LT is the easy
// mode. The price: an fd that you do not want to hear about (a full peer you
// cannot write to) must be taken out of the interest set with EPOLL_CTL_MOD,
// or every wait reports it again. And one wait per read: when it stops, the
// server prints its wake-ups, reads and EAGAINs per echoed message; about
// one of each and no EAGAIN here, against 4-io-models/26-echo-et.ts's extra read per
// wake-up that ends in EAGAIN.
//
// The shape is the C program's, line for line: socket, bind, listen,
// epoll_create1, epoll_ctl(ADD listener), then a loop of epoll_wait and a
// switch on each (mask, fd) pair. The loop (serve, below) owns its thread,
// a worker_thread: it sits in epoll_wait and nothing of Node's event loop
// runs there. The main thread only starts it, and stops it on SIGINT or
// SIGTERM through an eventfd in its epoll set (examples/common/
// server-thread.ts says why a signal needs that in Node).
//
// Stale events: each fd appears at most once in a batch, and this loop only
// ever closes the fd it is handling, so no later entry of a batch can name
// a closed fd. A server that closes OTHER fds (idle timeouts, kicking a
// user) must skip their remaining entries: see docs/epoll.md.
//
// Back-pressure: when a write is short, the rest waits in `pending` and the
// connection listens for EPOLLOUT only (no more reading) until it is sent.
import { isMainThread, workerData } from 'node:worker_threads';
import {
  AF_INET,
  EPOLLERR,
  EPOLLHUP,
  EPOLLIN,
  EPOLLOUT,
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  EPOLL_CTL_MOD,
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
  epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, EPOLLIN);
  epoll_ctl(epfd, EPOLL_CTL_ADD, stopFd, EPOLLIN);

  const events = new Uint32Array(2 * MAX_EVENTS); // struct epoll_event events[MAX_EVENTS]
  const buf = new Uint8Array(64 * 1024);
  const pending = new Map<number, Uint8Array>(); // bytes read but not yet echoed
  const open = new Set<number>();
  const counts = newCounts();

  function drop(fd: number): void {
    pending.delete(fd);
    open.delete(fd);
    close(fd); // close also removes fd from the epoll set (it has no dup)
    counts.clients++;
  }

  // Sends what is pending; true once nothing is left.
  function flush(fd: number): boolean {
    const rest = pending.get(fd);
    if (rest === undefined) return true;
    const w = write(fd, rest);
    if (w === -1) return false;
    if (w < rest.length) {
      pending.set(fd, rest.subarray(w));
      return false;
    }
    pending.delete(fd);
    return true;
  }

  let why = '';
  while (why === '') {
    const n = epoll_wait(epfd, events, MAX_EVENTS, -1);
    if (n > 1 || events[1] !== stopFd) counts.wakeups++; // the stop event is not the server's
    for (let i = 0; i < n; i++) {
      const mask = events[2 * i];
      const fd = events[2 * i + 1];

      if (fd === stopFd) {
        why = 'told to stop';
        continue;
      }

      if (fd === lfd) {
        // One accept per event: if more connections wait, LT reports the
        // listener again on the next epoll_wait.
        const cfd = accept4(lfd, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd !== -1) {
          epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, EPOLLIN);
          open.add(cfd);
        }
        continue;
      }

      try {
        if (mask & EPOLLOUT) {
          // Only registered while a write was short: resume reading once sent.
          if (flush(fd)) epoll_ctl(epfd, EPOLL_CTL_MOD, fd, EPOLLIN);
          continue;
        }
        if (mask & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
          // One read per event: whatever is left is reported again.
          const r = read(fd, buf);
          counts.reads++;
          if (r === -1) {
            counts.eagains++; // spurious wake-up: nothing to read after all
            continue;
          }
          if (r === 0) {
            drop(fd); // the peer closed
            continue;
          }
          counts.messages++;
          counts.bytes += r;
          const w = write(fd, buf, r);
          const sent = w === -1 ? 0 : w;
          if (sent < r) {
            // The peer reads slower than it sends: keep the rest, stop reading
            // and wait until the socket can take more.
            pending.set(fd, buf.slice(sent, r));
            epoll_ctl(epfd, EPOLL_CTL_MOD, fd, EPOLLOUT);
          }
        }
      } catch {
        drop(fd); // ECONNRESET, EPIPE: the peer is gone
      }
    }
    if (clients > 0 && counts.clients >= clients) why = `served ${clients} client${clients === 1 ? '' : 's'}, as asked`;
  }
  for (const fd of open) close(fd);
  close(epfd);
  close(lfd);
  reportCounts(counts, why);
}

if (isMainThread) runServerThread(__filename, 'level-triggered', Number(process.argv[2] ?? 0), Number(process.argv[3] ?? 0));
else serve(workerData as ServerJob);
