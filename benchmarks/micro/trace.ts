// What the trace mode costs: recv on an empty non-blocking socket (EAGAIN,
// the cheapest real system call) with tracing off, on (lines formatted and
// handed to a function that drops them), and off again, interleaved so that
// the machine's drift falls on all three alike.
//
//   node --import tsx benchmarks/micro/trace.ts [iterations] [rounds]
//
// Prints one JSON line: the median ns per call of each.
import { AF_UNIX, SOCK_NONBLOCK, SOCK_STREAM, close, recv, socketpair, trace } from 'posix-sockets';

const iters = Number(process.argv[2] ?? 500_000);
const rounds = Number(process.argv[3] ?? 5);
const [a, b] = socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK);
const buf = Buffer.alloc(64);

function time(n: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) if (recv(a, buf) !== -1) throw new Error('recv did not report would-block');
  return Number(process.hrtime.bigint() - t0) / n;
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

let lines = 0;
const off: number[] = [];
const on: number[] = [];
time(iters / 10); // warm up the untraced path
for (let r = 0; r < rounds; r++) {
  off.push(time(iters));
  trace(() => lines++);
  time(iters / 10);
  on.push(time(iters / 10));
  trace(false);
}
close(a);
close(b);
console.log(JSON.stringify({ iterations: iters, rounds, recvOffNs: median(off), recvOnNs: median(on), traceLines: lines }));
