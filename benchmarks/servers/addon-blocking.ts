// Echo server through the addon, blocking epoll_wait loop: the C server's
// main loop (benchmarks/c/echo-server.c) in TypeScript. It never returns to
// Node's event loop; the runner stops it by closing its stdin (fd 0 is in the
// epoll set) or by SIGTERM.
//
//   node --import tsx benchmarks/servers/addon-blocking.ts <lt|et> <port> [--buf N] [--nodelay] [--watch-stdin]
import { requireApi } from './api.js';
import { parseServerArgs } from './args.js';
import { startEcho } from './echo-handler.js';
import { listenLoopback } from './listen.js';

const MAX_EVENTS = 1024;
const { epoll_create1, epoll_ctl, epoll_wait } = requireApi('epoll');
const args = parseServerArgs(process.argv.slice(2), ['lt', 'et']);
const { lfd, port } = listenLoopback(args.port);
const epfd = epoll_create1(0);
const watch = (fd: number, op: number, events: number): void => epoll_ctl(epfd, op, fd, events);
const handler = startEcho(args, lfd, port, watch, () => process.exit(0));

const events = new Uint32Array(2 * MAX_EVENTS);
const onEvent = handler.onEvent;
for (;;) {
  const n = epoll_wait(epfd, events, MAX_EVENTS, -1);
  for (let i = 0; i < n; i++) onEvent(events[2 * i + 1], events[2 * i]);
}
