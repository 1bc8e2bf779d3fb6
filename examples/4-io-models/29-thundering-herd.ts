// Lesson: the thundering herd, and EPOLLEXCLUSIVE.
//
// Four worker_threads each have their own epoll fd, and all four watch the
// same listening socket: a way to spread accepts over threads. When a
// connection arrives, the listening socket wakes everything on its wait
// queue, and each epoll fd there is one sleeping thread: all four wake up
// for one connection, all four call accept4, one gets it and three get
// EAGAIN. Four wake-ups, three of them futile, for every connection: the
// herd. EPOLLEXCLUSIVE (Linux 4.5, epoll_ctl ADD only) marks an epoll fd's
// place on that wait queue exclusive: the kernel wakes the first exclusive
// waiter that is sleeping and stops there, so "one or more" wake, and on
// an idle server exactly one does.
//
// To make each kernel wake-up visible, the threads do not race: a woken
// thread counts itself and waits for the main thread's go before it calls
// accept4, and the main thread gives the go once all four have woken, or
// after 0.5 s (long enough for a woken thread to report; the ones that stay
// asleep were not woken). In a real server the first thread to accept wins
// and a late one may find the queue empty inside epoll_wait and sleep on
// without returning: the kernel woke it all the same (benchmarks/lab/
// waiters.ts counts those as context switches). SO_REUSEPORT avoids the
// herd another way (examples/5-performance/33-reuseport-workers.ts): one listening socket
// per thread.
// Run: npx tsx examples/4-io-models/29-thundering-herd.ts
import { isMainThread, workerData } from 'node:worker_threads';
import {
  AF_INET,
  EFD_NONBLOCK,
  EPOLLEXCLUSIVE,
  EPOLLIN,
  EPOLL_CTL_ADD,
  EpollEvents,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  accept4,
  close,
  connect,
  epoll_create1,
  epoll_ctl,
  epoll_wait,
  eventfd,
  gettid,
  setNonBlocking,
  socket,
  write,
} from 'posix-sockets';
import { expectFact, finish, listener } from '../common/lesson.js';
import { sleepsInEpollWait, startWorker, until } from '../common/threads.js';

const THREADS = 4;
const CONNECTIONS = 3;
const SETTLE_MS = 500; // how long the main thread waits for more threads to wake before its go
// The shared cells, as indices of one Int32Array. The same four threads
// wait in both herds, one after the other: HERD names the one to wait in.
const HERD = 0; // the herd, from 1; QUIT when the lesson is over
const DONE = 1; // threads that have left the herd (they saw its stop fd)
const LFD = 2; // the listening socket
const MASK = 3; // the events each thread registers it for
const STOP_FD = 4; // an eventfd in every thread's epoll set, written to end the herd
const ROUND = 5; // the connection being made, from 1
const GO = 6; // the round whose woken threads may accept now
const WOKEN = 7; // threads woken in this round
const WAKES = 8; // per thread: wake-ups
const ACCEPTED = WAKES + THREADS; // per thread: connections accepted
const FUTILE = ACCEPTED + THREADS; // per thread: accept4 found the queue empty (EAGAIN)
const TIDS = FUTILE + THREADS; // per thread: its thread id, for /proc
const CELLS = TIDS + THREADS;
const QUIT = 1000;

/** One waiter: its own epoll fd on the shared listener; woken, it waits for the go and accepts. */
function wait(id: number, cells: Int32Array): void {
  const [lfd, mask, stopFd] = [cells[LFD], cells[MASK], cells[STOP_FD]];
  const epfd = epoll_create1(0);
  epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, mask);
  epoll_ctl(epfd, EPOLL_CTL_ADD, stopFd, EPOLLIN);
  const events = new EpollEvents(2);
  for (;;) {
    const n = epoll_wait(epfd, events, 2, -1);
    if (Array.from({ length: n }, (_, i) => events.data(i)).includes(stopFd)) break;
    const round = Atomics.load(cells, ROUND);
    cells[WAKES + id]++;
    Atomics.add(cells, WOKEN, 1);
    for (let go; (go = Atomics.load(cells, GO)) < round; ) Atomics.wait(cells, GO, go, 1000);
    const fd = accept4(lfd, null, null, SOCK_NONBLOCK);
    if (fd === -1) cells[FUTILE + id]++;
    else {
      cells[ACCEPTED + id]++;
      close(fd);
    }
  }
  close(epfd);
}

/** A worker_thread: waits in each herd in turn, until QUIT. */
function worker({ id, shared }: { id: number; shared: SharedArrayBuffer }): void {
  const cells = new Int32Array(shared);
  Atomics.store(cells, TIDS + id, gettid());
  for (let herd = 1; ; herd++) {
    for (let h; (h = Atomics.load(cells, HERD)) < herd; ) Atomics.wait(cells, HERD, h);
    if (Atomics.load(cells, HERD) === QUIT) return;
    wait(id, cells);
    Atomics.add(cells, DONE, 1);
  }
}

const shared = new SharedArrayBuffer(4 * CELLS);
const cells = new Int32Array(shared);

/** CONNECTIONS connections, one at a time, to THREADS waiters registered with `mask`. */
async function herd(number: number, name: string, mask: number) {
  const l = listener();
  setNonBlocking(l.fd, true);
  const stopFd = eventfd(0, EFD_NONBLOCK);
  cells.fill(0, DONE, TIDS);
  [cells[LFD], cells[MASK], cells[STOP_FD]] = [l.fd, mask, stopFd];
  Atomics.store(cells, HERD, number);
  Atomics.notify(cells, HERD);
  const per = (base: number) => Array.from({ length: THREADS }, (_, id) => Atomics.load(cells, base + id));
  const sum = (base: number) => per(base).reduce((a, b) => a + b, 0);
  const allAsleep = () => per(TIDS).every((tid) => tid !== 0 && sleepsInEpollWait(tid));
  const woken: number[] = [];
  let ok = true;
  for (let round = 1; round <= CONNECTIONS && ok; round++) {
    ok = await until(allAsleep, 10_000); // every waiter on the wait queue before the connection comes
    Atomics.store(cells, WOKEN, 0);
    Atomics.store(cells, ROUND, round);
    const client = socket(AF_INET, SOCK_STREAM, 0);
    connect(client, l.addr); // complete once the handshake is: the listener's queue holds it now
    await until(() => Atomics.load(cells, WOKEN) === THREADS, SETTLE_MS);
    woken.push(Atomics.load(cells, WOKEN));
    Atomics.store(cells, GO, round);
    Atomics.notify(cells, GO);
    ok = ok && (await until(() => sum(ACCEPTED) === round, 2000));
    close(client);
  }
  write(stopFd, new BigUint64Array([1n]));
  ok = (await until(() => Atomics.load(cells, DONE) === THREADS, 5000)) && ok;
  close(stopFd);
  close(l.fd);
  const r = { ok, woken, wakeups: sum(WAKES), futile: sum(FUTILE), accepted: sum(ACCEPTED), perThread: per(WAKES) };
  console.log(
    `${name}: ${r.accepted} connections woke ${r.wakeups} waiters (per connection ${JSON.stringify(woken)}, per thread ${JSON.stringify(r.perThread)}); ` +
      `${r.futile} of the accept4 calls found the queue empty (EAGAIN)`,
  );
  expectFact(ok && r.accepted === CONNECTIONS, `${name}: all ${CONNECTIONS} connections should be accepted, with every waiter asleep in epoll_wait first`);
  return r;
}

async function main(): Promise<void> {
  console.log(`${THREADS} threads, each with its own epoll fd on one listening socket; ${CONNECTIONS} connections, one at a time`);
  const threads = Array.from({ length: THREADS }, (_, id) => startWorker(__filename, { id, shared }));
  const exited = Promise.all(threads.map((t) => new Promise((resolve) => t.once('exit', resolve))));
  const plain = await herd(1, 'without EPOLLEXCLUSIVE', EPOLLIN);
  const exclusive = await herd(2, 'with EPOLLEXCLUSIVE', EPOLLIN | EPOLLEXCLUSIVE);
  Atomics.store(cells, HERD, QUIT);
  Atomics.notify(cells, HERD);
  await exited;
  console.log(`wake-ups per connection: ${plain.wakeups / CONNECTIONS} without, ${exclusive.wakeups / CONNECTIONS} with EPOLLEXCLUSIVE`);
  if (Math.max(...exclusive.perThread) === CONNECTIONS) {
    console.log('with EPOLLEXCLUSIVE the kernel woke the same thread every time: it stops the herd, it does not spread the load (SO_REUSEPORT does: examples/5-performance/33-reuseport-workers.ts)');
  }
  expectFact(plain.woken.every((w) => w === THREADS), `without EPOLLEXCLUSIVE each connection should wake all ${THREADS} waiters`);
  expectFact(plain.futile === (THREADS - 1) * CONNECTIONS, `without EPOLLEXCLUSIVE ${THREADS - 1} accept4 calls per connection should find nothing`);
  expectFact(exclusive.woken.every((w) => w >= 1) && exclusive.wakeups < plain.wakeups, 'with EPOLLEXCLUSIVE fewer waiters should wake, and at least one per connection');
  finish('a connection wakes every epoll fd that watches the listener; EPOLLEXCLUSIVE wakes one (or a few) of them, and the rest sleep on');
}

if (isMainThread) {
  // Bounded: a thread that never came back would keep the process alive.
  setTimeout(() => {
    console.log('not observed: the lesson did not finish within 30 s');
    process.exit(1);
  }, 30_000).unref();
  void main();
} else {
  worker(workerData as { id: number; shared: SharedArrayBuffer });
}
