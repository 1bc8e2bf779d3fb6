// A non-blocking TCP echo server on an EpollLoop: epoll inside Node's event
// loop.
//
//   npx tsx examples/4-io-models/30-echo-loop.ts [port]    (port 0 or none: any free port)
//
// What it teaches. The blocking examples (4-io-models/25-echo-lt.ts, 4-io-models/26-echo-et.ts) give their
// loop a thread of its own: it sits in epoll_wait and nothing else of Node
// runs there (their main thread only starts and stops it). Here the
// same epoll set is watched by libuv, and the server is a CALLBACK that gets
// each batch of ready fds, (count, events), exactly the pairs epoll_wait
// would have written. Between batches, Node runs as usual: the timer below
// prints statistics, a SIGTERM handler shuts the server down cleanly, and
// promises, `net` or `fs` would work alongside. When the last handle closes
// the process ends by itself, as any Node server does.
//
// The per-fd logic is 4-io-models/26-echo-et.ts's: edge-triggered, so each event drains
// the socket (read until -1, accept until -1). The batch array is the
// loop's own, reused for every batch: read (mask, fd) out of it during the
// callback, never keep it.
//
// Stale events: a batch is read from the kernel before the callback runs.
// This server only closes the fd it is handling, and each fd appears at most
// once per batch, so no later entry can name a closed fd. Code that closes
// other fds mid-batch must skip their entries (see docs/epoll.md, or use
// Poller, which does it).
import {
  AF_INET,
  EPOLLET,
  EPOLLIN,
  EPOLLOUT,
  EPOLLRDHUP,
  EPOLL_CTL_ADD,
  EpollLoop,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOMAXCONN,
  accept4,
  bind,
  close,
  epoll_ctl,
  getsockname,
  listen,
  read,
  socket,
  write,
} from 'posix-sockets';

const port = Number(process.argv[2] ?? 0);

const lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
bind(lfd, { family: AF_INET, address: '127.0.0.1', port });
listen(lfd, SOMAXCONN);
const bound = getsockname(lfd);
console.log(`listening ${bound.family === AF_INET ? bound.port : 0}`);

const loop = new EpollLoop({ maxevents: 64 });
epoll_ctl(loop.epfd, EPOLL_CTL_ADD, lfd, EPOLLIN | EPOLLET);

const buf = new Uint8Array(64 * 1024);
const pending = new Map<number, Uint8Array>(); // bytes read but not yet echoed
const open = new Set<number>();
let batches = 0;
let echoed = 0;

function send(fd: number, data: Uint8Array, start: number, end: number): number {
  let off = start;
  while (off < end) {
    const w = write(fd, data, end - off, off);
    if (w === -1) break; // full: the EPOLLOUT edge brings us back
    off += w;
  }
  echoed += off - start;
  return off - start;
}

// Sends what is pending, then drains the socket. False once it is closed.
function service(fd: number): boolean {
  const rest = pending.get(fd);
  if (rest !== undefined) {
    const sent = send(fd, rest, 0, rest.length);
    if (sent < rest.length) {
      pending.set(fd, rest.subarray(sent));
      return true;
    }
    pending.delete(fd);
  }
  for (;;) {
    const r = read(fd, buf);
    if (r === -1) return true;
    if (r === 0) return false;
    const sent = send(fd, buf, 0, r);
    if (sent < r) {
      pending.set(fd, buf.slice(sent, r));
      return true;
    }
  }
}

function drop(fd: number): void {
  pending.delete(fd);
  open.delete(fd);
  close(fd);
}

loop.start((count, events) => {
  batches++;
  for (let i = 0; i < count; i++) {
    const fd = events[2 * i + 1];
    if (fd === lfd) {
      for (let cfd; (cfd = accept4(lfd, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC)) !== -1; ) {
        epoll_ctl(loop.epfd, EPOLL_CTL_ADD, cfd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
        open.add(cfd);
      }
      continue;
    }
    let alive: boolean;
    try {
      alive = service(fd);
    } catch {
      alive = false; // ECONNRESET, EPIPE
    }
    if (!alive) drop(fd);
  }
});

// Node's own timers run between batches. Unreferenced: statistics alone
// should not keep the server alive.
setInterval(() => {
  console.error(`batches=${batches} connections=${open.size} echoed=${echoed}`);
}, 5000).unref();

// A clean stop: close the loop (which closes its epfd) and every socket;
// with no handle left, the process exits by itself.
process.once('SIGTERM', () => {
  loop.close();
  for (const fd of open) drop(fd);
  close(lfd);
});
