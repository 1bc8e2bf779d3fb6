// The JS side of the binding-overhead microbenchmark: the same two loops as
// benchmarks/c/syscall-loop.c (recv on an empty non-blocking socket, which
// fails with EAGAIN; epoll_wait with timeout 0 on a set with nothing ready),
// called through the addon. The runner subtracts the C figures.
//
//   node --import tsx benchmarks/micro/binding.ts [iterations]
//
// Prints one JSON line. recv is timed twice: through lib's recv (the typed
// wrapper: argument defaults and the would-block check) and through the raw
// native function, so the report can tell the two layers apart.
import { AF_UNIX, EPOLLIN, EPOLL_CTL_ADD, SOCK_NONBLOCK, SOCK_STREAM, close, recv, socketpair } from 'posix-sockets';
import { nativeModule } from '../../lib/native.js';
import { api } from '../servers/api.js';

const iters = Number(process.argv[2] ?? 2_000_000);
const [a, b] = socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
const buf = Buffer.alloc(64);
const rawRecv = nativeModule<{ recv(fd: number, buf: Uint8Array): number }>().recv;

function timeRecv(n: number): number {
  let wouldBlock = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) if (recv(a, buf) === -1) wouldBlock++;
  const t1 = process.hrtime.bigint();
  if (wouldBlock !== n) throw new Error('recv did not report would-block');
  return Number(t1 - t0) / n;
}

function timeRawRecv(n: number): number {
  let negative = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) if (rawRecv(a, buf) < 0) negative++;
  const t1 = process.hrtime.bigint();
  if (negative !== n) throw new Error('raw recv did not fail with -EAGAIN');
  return Number(t1 - t0) / n;
}

function timeEpollWait(n: number): number | null {
  const ep = api('epoll');
  if (!ep) return null;
  const epfd = ep.epoll_create1(0);
  try {
    ep.epoll_ctl(epfd, EPOLL_CTL_ADD, a, EPOLLIN);
    const events = new Uint32Array(2 * 64);
    let empty = 0;
    for (let i = 0; i < n / 10; i++) ep.epoll_wait(epfd, events, 64, 0);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (ep.epoll_wait(epfd, events, 64, 0) === 0) empty++;
    const t1 = process.hrtime.bigint();
    if (empty !== n) throw new Error('epoll_wait reported events on an empty set');
    return Number(t1 - t0) / n;
  } finally {
    close(epfd);
  }
}

try {
  // Untimed passes first, so that the timed ones run optimized code.
  timeRecv(iters / 10);
  timeRawRecv(iters / 10);
  const result = {
    iterations: iters,
    recv_ns: timeRecv(iters),
    raw_recv_ns: timeRawRecv(iters),
    epoll_wait_ns: timeEpollWait(iters),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  close(a);
  close(b);
}
