// Does the blocking echo loop allocate on the JS heap per event? Runs the
// addon server's handler (servers/echo-handler.ts) and its blocking
// epoll_wait loop in this process against a loopback client, for `events`
// echo round trips, and measures the heap around the loop.
//
//   node --expose-gc --min-semi-space-size=64 --max-semi-space-size=128 --import tsx benchmarks/micro/alloc.ts [events]
//
// The young generation is made large enough that the loop runs without a
// garbage collection, so the growth of used heap is every byte the loop
// allocated; the count of collections (from a PerformanceObserver) says
// whether that held. Prints one JSON line.
import { PerformanceObserver, performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import { AF_INET, EPOLLIN, EPOLL_CTL_ADD, SOCK_STREAM, close, connect, read, setNonBlocking, socket, write } from 'posix-sockets';
import { api } from '../servers/api.js';
import { createEchoHandler } from '../servers/echo-handler.js';
import { listenLoopback } from '../servers/listen.js';

const events = Number(process.argv[2] ?? 1_000_000);
const ep = api('epoll');
if (!ep) {
  process.stdout.write(`${JSON.stringify({ skipped: 'epoll_create1/epoll_ctl/epoll_wait not in this build' })}\n`);
  process.exit(0);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const { lfd, port } = listenLoopback(0);
const epfd = ep.epoll_create1(0);
const watch = (fd: number, op: number, mask: number): void => ep.epoll_ctl(epfd, op, fd, mask);
const handler = createEchoHandler({ et: false, lfd, buf: 65536, nodelay: false, sndbuf: 0, watch, onStdin: () => {} });
watch(lfd, EPOLL_CTL_ADD, EPOLLIN);
const client = socket(AF_INET, SOCK_STREAM);
connect(client, { family: AF_INET, address: '127.0.0.1', port });
setNonBlocking(client); // the first wake-ups are the accept, not the echo: never wait on the client
const msg = Buffer.alloc(64, 7);
const back = Buffer.alloc(64);
const ev = new Uint32Array(2 * 64);
let handled = 0;

// One round trip: the client sends 64 bytes, the server loop echoes them
// (epoll_wait, read, write), the client reads them back. The server side
// waits in epoll_wait (-1) only while the echo is not back, so there is
// always something for it to wake up for.
function roundTrip(): void {
  write(client, msg);
  let got = 0;
  while (got < 64) {
    const n = ep!.epoll_wait(epfd, ev, 64, -1);
    for (let i = 0; i < n; i++) handler.onEvent(ev[2 * i + 1], ev[2 * i]);
    handled += n;
    const r = read(client, back, 64 - got, got);
    if (r > 0) got += r;
  }
}

function loop(n: number): void {
  for (let i = 0; i < n; i++) roundTrip();
}

// Collections that started inside the measured loop (not the forced ones after it).
let gcs = 0;
let loopStart = Infinity;
let loopEnd = Infinity;
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.startTime >= loopStart && e.startTime <= loopEnd) gcs++;
});
try {
  loop(Math.min(50_000, events)); // warm up: optimize the loop and the handler
  gc();
  gc();
  obs.observe({ entryTypes: ['gc'] });
  const before = v8.getHeapStatistics().used_heap_size;
  const handledBefore = handled;
  loopStart = performance.now();
  loop(events);
  loopEnd = performance.now();
  const after = v8.getHeapStatistics().used_heap_size;
  const count = handled - handledBefore;
  gc();
  gc();
  const retained = v8.getHeapStatistics().used_heap_size;
  // GC entries are delivered asynchronously.
  setTimeout(() => {
    obs.disconnect();
    const grown = after - before;
    process.stdout.write(
      `${JSON.stringify({
        events: count,
        roundTrips: events,
        heapGrowthBytes: grown,
        bytesPerEvent: Math.max(0, Math.floor(grown / count)),
        exactBytesPerEvent: grown / count,
        gcCount: gcs,
        retainedBytesPerEvent: (retained - before) / count,
      })}\n`,
    );
    close(client);
    close(epfd);
    close(lfd);
  }, 50);
} catch (e) {
  obs.disconnect();
  throw e;
}
