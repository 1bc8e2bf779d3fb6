// Echo server through the addon, poll(2) instead of epoll: the C server's
// poll mode. Each call hands the kernel every fd and the loop walks every
// slot, so its cost grows with all connections, not the ready ones; the C10K
// workload shows the difference.
//
//   node --import tsx benchmarks/servers/addon-poll.ts poll <port> [--buf N] [--nodelay] [--watch-stdin]
import { EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLL_CTL_ADD, EPOLL_CTL_DEL, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT } from 'posix-sockets';
import { requireApi } from './api.js';
import { parseServerArgs } from './args.js';
import { startEcho } from './echo-handler.js';
import { listenLoopback } from './listen.js';

const CAPACITY = 65536;
const { PollFds, poll } = requireApi('poll');
const args = parseServerArgs(process.argv.slice(2), ['poll']);
const { lfd, port } = listenLoopback(args.port);
const fds = new PollFds(CAPACITY);
const slotOf = new Int32Array(CAPACITY);
let nfds = 0;

// The pollfd array kept dense: a closed fd's slot takes the last entry.
function watch(fd: number, op: number, events: number): void {
  if (op === EPOLL_CTL_DEL) {
    const s = slotOf[fd];
    nfds--;
    fds.set(s, fds.fd(nfds), fds.events(nfds));
    slotOf[fds.fd(s)] = s;
    return;
  }
  if (op === EPOLL_CTL_ADD) slotOf[fd] = nfds++;
  fds.set(slotOf[fd], fd, (events & EPOLLIN ? POLLIN : 0) | (events & EPOLLOUT ? POLLOUT : 0));
}

const handler = startEcho(args, lfd, port, watch, () => process.exit(0));

const onEvent = handler.onEvent;
for (;;) {
  let n = poll(fds, nfds, -1);
  // Downwards, as in C: a slot a close refills from the end was visited already.
  for (let s = nfds - 1; s >= 0 && n > 0; s--) {
    if (s >= nfds) continue;
    const re = fds.revents(s);
    if (re === 0) continue;
    n--;
    onEvent(
      fds.fd(s),
      (re & POLLIN ? EPOLLIN : 0) |
        (re & POLLOUT ? EPOLLOUT : 0) |
        (re & POLLERR ? EPOLLERR : 0) |
        (re & (POLLHUP | POLLNVAL) ? EPOLLHUP : 0),
    );
  }
}
