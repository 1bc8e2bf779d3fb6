// Echo server through the addon, the epoll set integrated in Node's event
// loop (EpollLoop): the same handler as addon-blocking.ts, called from a
// libuv callback when the epoll fd is readable, so timers and other Node I/O
// keep running beside it.
//
//   node --import tsx benchmarks/servers/addon-loop.ts <lt|et> <port> [--buf N] [--nodelay] [--watch-stdin]
import { EPOLLIN, EPOLL_CTL_ADD } from 'posix-sockets';
import { requireApi } from './api.js';
import { parseServerArgs } from './args.js';
import { createEchoHandler } from './echo-handler.js';
import { listenLoopback } from './listen.js';

const { EpollLoop, epoll_ctl } = requireApi('loop');
const args = parseServerArgs(process.argv.slice(2), ['lt', 'et']);
const { lfd, port } = listenLoopback(args.port);
const loop = new EpollLoop({ maxevents: 1024 });
const epfd = loop.epfd;
const watch = (fd: number, op: number, events: number): void => epoll_ctl(epfd, op, fd, events);
const handler = createEchoHandler({
  et: args.mode === 'et',
  lfd,
  buf: args.buf,
  nodelay: args.nodelay,
  sndbuf: args.sndbuf,
  watch,
  onStdin: () => {
    loop.stop();
    loop.close();
    process.exit(0);
  },
});
watch(lfd, EPOLL_CTL_ADD, EPOLLIN);
if (args.watchStdin) watch(0, EPOLL_CTL_ADD, EPOLLIN);
const onEvent = handler.onEvent;
loop.start((count, events) => {
  for (let i = 0; i < count; i++) onEvent(events[2 * i + 1], events[2 * i]);
});
process.stdout.write(`ready ${port}\n`);
