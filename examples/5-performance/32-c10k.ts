// Lesson: C10K. poll(2) looks at every fd it is given, every call; epoll_wait
// returns only the ready ones, whatever number of fds sleep beside them.
//
// A server holding 10,000 mostly idle connections asks the kernel "which are
// ready?" thousands of times a second. poll answers by walking the whole
// array it is handed (and the program walks it again to find the revents),
// so each call costs O(all fds). An epoll instance keeps its interest list
// in the kernel and a ready list that sockets add themselves to when data
// arrives, so epoll_wait costs O(ready fds). This lesson holds N idle
// socket pairs, makes one of them ready, and times both calls.
// Run: npx tsx examples/5-performance/32-c10k.ts [largest N]
import {
  AF_UNIX,
  EPOLLIN,
  EPOLL_CTL_ADD,
  POLLIN,
  PollFds,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  close,
  epoll_create1,
  epoll_ctl,
  epoll_wait,
  poll,
  socketpair,
  write,
} from 'posix-sockets';

const largest = Number(process.argv[2] ?? 4000); // each pair is 2 fds: mind `ulimit -n`
const calls = 2000;

/** Median nanoseconds of `fn` over a few batches of `calls` calls. */
function nsPerCall(fn: () => number, expected: number): number {
  const batches: number[] = [];
  for (let b = 0; b < 5; b++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) if (fn() !== expected) throw new Error('wrong count of ready fds');
    batches.push(Number(process.hrtime.bigint() - t) / calls);
  }
  return batches.sort((x, y) => x - y)[2]!;
}

for (const n of [10, 100, 1000, largest].filter((x, i, a) => x <= largest && a.indexOf(x) === i)) {
  const pairs = Array.from({ length: n }, () => socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK));
  const epfd = epoll_create1();
  const fds = new PollFds(n);
  pairs.forEach(([mine], i) => {
    epoll_ctl(epfd, EPOLL_CTL_ADD, mine, EPOLLIN);
    fds.set(i, mine, POLLIN);
  });
  write(pairs[n >> 1]![1], Buffer.from('!')); // one connection of n has data

  const events = new Uint32Array(2 * 64);
  const epollNs = nsPerCall(() => epoll_wait(epfd, events, 64, 0), 1);
  const pollNs = nsPerCall(() => poll(fds, n, 0), 1);
  // epoll names the ready fd; poll marks its entry, which the program must find.
  const ready = pairs[n >> 1]![0];
  const epollRight = events[1] === ready;
  let pollFound = -1;
  for (let i = 0; i < n; i++) if (fds.revents(i) & POLLIN) pollFound = fds.fd(i);
  console.log(
    `${String(n).padStart(5)} connections, 1 ready: epoll_wait ${epollNs.toFixed(0).padStart(7)} ns, ` +
      `poll ${pollNs.toFixed(0).padStart(7)} ns per call (poll ÷ epoll ${(pollNs / epollNs).toFixed(1)}x); ` +
      `both found the ready fd: ${epollRight && pollFound === ready}`,
  );
  close(epfd);
  for (const [a, b] of pairs) {
    close(a);
    close(b);
  }
}
