// Echo server through the addon, the epoll set integrated in Node's event
// loop (EpollLoop): the same handler as addon-blocking.ts, called from a
// libuv callback when the epoll fd is readable, so timers and other Node I/O
// keep running beside it.
//
//   node --import tsx benchmarks/servers/addon-loop.ts <lt|et> <port> [--buf N] [--nodelay] [--watch-stdin]
import { requireApi } from './api.js';
import { parseServerArgs } from './args.js';
import { startEcho } from './echo-handler.js';
import { listenLoopback } from './listen.js';

const { EpollLoop, epoll_ctl } = requireApi('loop');
const args = parseServerArgs(process.argv.slice(2), ['lt', 'et']);
const { lfd, port } = listenLoopback(args.port);
const loop = new EpollLoop({ maxevents: 1024 });
const epfd = loop.epfd;
const watch = (fd: number, op: number, events: number): void => epoll_ctl(epfd, op, fd, events);
// Started before "ready" is printed; the first batch can come only after
// this module has finished running, on the event loop's next turn.
const handler = startEcho(args, lfd, port, watch, () => {
  loop.stop();
  loop.close();
  process.exit(0);
});
const onEvent = handler.onEvent;
loop.start((count, events) => {
  for (let i = 0; i < count; i++) onEvent(events[2 * i + 1], events[2 * i]);
});
