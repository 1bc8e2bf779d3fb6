// Lesson: select, poll and epoll, side by side on the same small server.
// Three clients connect and each sends a line; the server, one thread and
// non-blocking sockets, waits for readiness, accepts, and echoes each line.
// The three ways to wait differ in what each call costs:
//  - select: the caller rebuilds its fd_sets every call (the kernel writes
//    the answer into them) and passes nfds = highest fd + 1; the kernel
//    scans every bit below nfds. An fd_set has FD_SETSIZE (1024) bits, so an
//    fd of 1024 or more cannot be waited for at all: FD_SET throws.
//  - poll: an array of { fd, events, revents }, any fd number, but the whole
//    array goes to the kernel every call.
//  - epoll: the fds are registered once (epoll_ctl), and each epoll_wait
//    returns only the ready ones, whatever the number watched.
// Run: npx tsx examples/4-io-models/24-select-poll-epoll.ts
import {
  AF_INET,
  EPOLLIN,
  EPOLL_CTL_ADD,
  EpollEvents,
  FD_ISSET,
  FD_SET,
  FD_SETSIZE,
  FD_ZERO,
  F_DUPFD,
  FdSet,
  POLLIN,
  PollFds,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  accept4,
  close,
  connect,
  epoll_create1,
  epoll_ctl,
  epoll_wait,
  fcntl,
  flagNames,
  poll,
  read,
  recv,
  select,
  send,
  setNonBlocking,
  socket,
  write,
} from 'posix-sockets';
import { expectFact, finish, listener, tcpPair } from '../common/lesson.js';

type Kind = 'select' | 'poll' | 'epoll';

/** A waiter: tell it the fds to watch, and it returns those readable (within 1 s) and the fds it handed the kernel. */
interface Waiter {
  add(fd: number): void;
  remove(fd: number): void;
  wait(): { ready: number[]; passed: number };
  close(): void;
}

function selectWaiter(): Waiter {
  const fds = new Set<number>();
  const readfds = new FdSet();
  return {
    add: (fd) => fds.add(fd),
    remove: (fd) => fds.delete(fd),
    wait() {
      FD_ZERO(readfds); // select overwrote the set: rebuild it every call
      let maxfd = -1;
      for (const fd of fds) {
        FD_SET(fd, readfds);
        maxfd = Math.max(maxfd, fd);
      }
      select(maxfd + 1, readfds, null, null, { tv_sec: 1, tv_usec: 0 });
      return { ready: [...fds].filter((fd) => FD_ISSET(fd, readfds)), passed: maxfd + 1 };
    },
    close() {},
  };
}

function pollWaiter(): Waiter {
  const fds: number[] = [];
  const pfds = new PollFds(16);
  return {
    add: (fd) => fds.push(fd),
    remove: (fd) => fds.splice(fds.indexOf(fd), 1),
    wait() {
      fds.forEach((fd, i) => pfds.set(i, fd, POLLIN));
      poll(pfds, fds.length, 1000);
      return { ready: fds.filter((_, i) => pfds.revents(i) !== 0), passed: fds.length };
    },
    close() {},
  };
}

function epollWaiter(): Waiter {
  const epfd = epoll_create1(0);
  const events = new EpollEvents(16);
  return {
    add: (fd) => epoll_ctl(epfd, EPOLL_CTL_ADD, fd, EPOLLIN), // once per fd
    remove: () => {}, // close removes an fd from every epoll set it is in
    wait() {
      const n = epoll_wait(epfd, events, events.capacity, 1000);
      return { ready: Array.from({ length: n }, (_, i) => events.data(i)), passed: 0 };
    },
    close: () => close(epfd),
  };
}

function serve(kind: Kind, clients: number) {
  const waiter = kind === 'select' ? selectWaiter() : kind === 'poll' ? pollWaiter() : epollWaiter();
  const l = listener();
  setNonBlocking(l.fd, true);
  waiter.add(l.fd);
  const lines = Array.from({ length: clients }, (_, i) => `line from client ${i}\n`);
  const cfds = lines.map((line) => {
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    connect(fd, l.addr); // completes in the kernel; the server accepts when its waiter says so
    send(fd, Buffer.from(line));
    return fd;
  });
  const buf = Buffer.alloc(1024);
  let echoed = 0;
  let wakeups = 0;
  let passed = 0;
  const conns: number[] = [];
  for (let round = 0; echoed < clients && round < 20; round++) {
    const r = waiter.wait();
    wakeups++;
    passed += r.passed;
    for (const fd of r.ready) {
      if (fd === l.fd) {
        for (let c; (c = accept4(l.fd, null, null, SOCK_NONBLOCK)) !== -1; ) {
          waiter.add(c);
          conns.push(c);
        }
        continue;
      }
      const n = read(fd, buf);
      if (n > 0) {
        write(fd, buf, n);
        echoed++;
      }
    }
  }
  const intact = cfds.filter((fd, i) => buf.toString('utf8', 0, recv(fd, buf)) === lines[i]).length;
  [...cfds, ...conns].forEach((fd) => {
    waiter.remove(fd);
    close(fd);
  });
  waiter.close();
  close(l.fd);
  return { echoed, intact, wakeups, passed };
}

const results = (['select', 'poll', 'epoll'] as const).map((kind) => ({ kind, ...serve(kind, 3) }));
for (const r of results) {
  const cost = r.kind === 'epoll' ? 'each wait handed the kernel no list (the fds were registered once)' : `the waits handed the kernel ${r.passed} ${r.kind === 'select' ? 'bits of fd_set (nfds)' : 'pollfd entries'} in all`;
  console.log(`${r.kind}: ${r.intact} of 3 clients got their line back, after ${r.wakeups} wake-ups; ${cost}`);
  expectFact(r.echoed === 3 && r.intact === 3, `${r.kind} should serve all 3 clients`);
}

// FD_SETSIZE: the limit of select, and only of select.
const pair = tcpPair();
send(pair.client, Buffer.from('for fd 1500'));
const high = fcntl(pair.server, F_DUPFD, 1500); // the lowest free fd from 1500 up
let refused = '';
try {
  FD_SET(FD_SETSIZE, new FdSet());
} catch (e) {
  refused = `${(e as Error).name} (${(e as Error).message.split(':')[0]})`;
}
const pfds = new PollFds(1);
pfds.set(0, high, POLLIN);
const polled = poll(pfds, 1, 0);
console.log(
  `FD_SETSIZE is ${FD_SETSIZE}: FD_SET(${FD_SETSIZE}, set) threw ${refused}; poll watches fd ${high} as any other (returned ${polled}, revents ${flagNames(pfds.revents(0), 'POLL')})`,
);
expectFact(refused.startsWith('RangeError') && polled === 1 && pfds.revents(0) === POLLIN, 'FD_SET should refuse fd 1024 while poll takes fd 1500');
[high, pair.client, pair.server].forEach((fd) => close(fd));
finish('select, poll and epoll wait for the same readiness; what grows with the number of fds is what each call hands the kernel');
