// Lesson: EPOLLONESHOT, one event and then silence until re-armed.
//
// With EPOLLONESHOT, epoll_wait reports an fd once and then disables it in
// the set: nothing more is reported for it, not the bytes left unread (as
// LT would) and not new bytes (as ET would), until epoll_ctl(EPOLL_CTL_MOD)
// re-arms it. MOD checks readiness at once, so bytes that waited meanwhile
// are reported by the next wait.
//
// Why it exists: several threads in epoll_wait on ONE epoll fd, a common way
// to spread a server over cores. Without it, one fd can be in two threads'
// hands at once: under LT, the kernel wakes a second waiter as soon as the
// first has taken the event, since the fd is still readable (the first has
// not read yet); under ET, new bytes that arrive while the first thread
// works are a new edge, and another thread gets them. Two threads reading
// one socket split its bytes between them, in no defined order. With
// EPOLLONESHOT the event goes to one thread, and the fd stays with it until
// it re-arms. Here four worker_threads wait on one epoll fd; each holds the
// event it got for up to 0.6 s (real work would take its time) before it
// reads, and counts how many threads hold the fd at the same moment.
// Run: npx tsx examples/4-io-models/28-oneshot.ts
import { isMainThread, workerData } from 'node:worker_threads';
import {
  EFD_NONBLOCK,
  EPOLLET,
  EPOLLIN,
  EPOLLONESHOT,
  EPOLL_CTL_ADD,
  EPOLL_CTL_MOD,
  EpollEvents,
  FIONREAD,
  close,
  epoll_create1,
  epoll_ctl,
  epoll_wait,
  eventfd,
  gettid,
  ioctl,
  read,
  setNonBlocking,
  write,
} from 'posix-sockets';
import { expectFact, finish, tcpPair } from '../common/lesson.js';
import { sleepsInEpollWait, startWorker, until, waitWhile } from '../common/threads.js';

const THREADS = 4;
const HOLD_MS = 600; // how long a thread keeps an event before it reads, unless another thread shows up first
// The shared cells, as indices of one Int32Array. The same four threads
// serve the three pools, one after the other: POOL names the one to serve.
const POOL = 0; // the pool being served, from 1; QUIT when the lesson is over
const DONE = 1; // threads that have left the pool (they saw its stop fd)
const EPFD = 2; // the pool's epoll fd, shared by the threads
const FD = 3; // the socket in it
const STOP_FD = 4; // an eventfd in it, written to end the pool
const REARM = 5; // the mask to re-arm the socket with (EPOLL_CTL_MOD), 0 when not one-shot
const HOLDERS = 6; // threads holding an event for the socket right now
const MOST = 7; // the most that ever held it at once
const BYTES = 8; // bytes the threads read, together
const WAKES = 9; // per thread: wake-ups for the socket
const EMPTY = WAKES + THREADS; // per thread: reads that found nothing (EAGAIN)
const TIDS = EMPTY + THREADS; // per thread: its thread id, for /proc
const CELLS = TIDS + THREADS;
const QUIT = 1000;

/** One thread of the pool: waits on the shared epoll fd, holds each event, reads, and re-arms if one-shot. */
function serve(id: number, cells: Int32Array): void {
  const [epfd, fd, stopFd, rearm] = [cells[EPFD], cells[FD], cells[STOP_FD], cells[REARM]];
  const events = new EpollEvents(1);
  const buf = new Uint8Array(1024);
  for (;;) {
    if (epoll_wait(epfd, events, 1, -1) !== 1 || events.data(0) === stopFd) return;
    cells[WAKES + id]++;
    const holders = Atomics.add(cells, HOLDERS, 1) + 1;
    for (let most; (most = Atomics.load(cells, MOST)) < holders; ) Atomics.compareExchange(cells, MOST, most, holders);
    Atomics.notify(cells, HOLDERS);
    waitWhile(cells, HOLDERS, holders, HOLD_MS); // the work; it ends early if another thread takes the fd too
    const r = read(fd, buf);
    if (r > 0) Atomics.add(cells, BYTES, r);
    else cells[EMPTY + id]++;
    Atomics.sub(cells, HOLDERS, 1);
    Atomics.notify(cells, HOLDERS);
    if (rearm !== 0) epoll_ctl(epfd, EPOLL_CTL_MOD, fd, rearm); // done with it: let the next event in
  }
}

/** A worker_thread: serves each pool in turn, until QUIT. */
function worker({ id, shared }: { id: number; shared: SharedArrayBuffer }): void {
  const cells = new Int32Array(shared);
  Atomics.store(cells, TIDS + id, gettid());
  for (let pool = 1; ; pool++) {
    for (let p; (p = Atomics.load(cells, POOL)) < pool; ) Atomics.wait(cells, POOL, p);
    if (Atomics.load(cells, POOL) === QUIT) return;
    serve(id, cells);
    Atomics.add(cells, DONE, 1);
  }
}

const shared = new SharedArrayBuffer(4 * CELLS);
const cells = new Int32Array(shared);

/** One socket, THREADS threads on one epoll fd, two messages: the second sent while a thread holds the first. */
async function pool(number: number, name: string, mask: number) {
  const { client, server } = tcpPair();
  setNonBlocking(server, true);
  const epfd = epoll_create1(0);
  const stopFd = eventfd(0, EFD_NONBLOCK);
  epoll_ctl(epfd, EPOLL_CTL_ADD, server, mask);
  epoll_ctl(epfd, EPOLL_CTL_ADD, stopFd, EPOLLIN); // level-triggered: once written, every thread sees it
  cells.fill(0, DONE, TIDS);
  [cells[EPFD], cells[FD], cells[STOP_FD], cells[REARM]] = [epfd, server, stopFd, mask & EPOLLONESHOT ? mask : 0];
  Atomics.store(cells, POOL, number);
  Atomics.notify(cells, POOL);
  const tids = () => Array.from({ length: THREADS }, (_, id) => Atomics.load(cells, TIDS + id));
  const allAsleep = () => tids().every((tid) => tid !== 0 && sleepsInEpollWait(tid));
  const asleep = await until(allAsleep, 10_000);
  const message = new Uint8Array(64).fill(0x2a);
  write(client, message);
  await until(() => Atomics.load(cells, HOLDERS) > 0, 2000);
  write(client, message); // while a thread holds the first
  const read = await until(() => Atomics.load(cells, BYTES) === 128 && Atomics.load(cells, HOLDERS) === 0, 3 * HOLD_MS);
  await until(allAsleep, 2000); // every thread done and back in epoll_wait
  write(stopFd, new BigUint64Array([1n]));
  const left = await until(() => Atomics.load(cells, DONE) === THREADS, 5000);
  [client, server, epfd, stopFd].forEach((fd) => close(fd));
  const per = (base: number) => Array.from({ length: THREADS }, (_, id) => cells[base + id]);
  const wakes = per(WAKES);
  const r = { woke: wakes.filter((w) => w > 0).length, wakeups: wakes.reduce((a, b) => a + b, 0), most: cells[MOST], empty: per(EMPTY).reduce((a, b) => a + b, 0) };
  console.log(
    `${name}: 2 messages woke ${r.woke} of ${THREADS} threads (${r.wakeups} wake-up${r.wakeups === 1 ? '' : 's'}, per thread ${JSON.stringify(wakes)}); ` +
      `at most ${r.most} held the socket at once; ${r.empty} read${r.empty === 1 ? '' : 's'} found nothing (EAGAIN): another thread had taken the bytes`,
  );
  expectFact(asleep && read && left, `${name}: the threads should all wait in epoll_wait, then read both messages (128 bytes)`);
  return r;
}

async function main(): Promise<void> {
  // One thread first: the fd goes quiet after one event, and MOD wakes it.
  const { client, server } = tcpPair();
  setNonBlocking(server, true);
  const epfd = epoll_create1(0);
  const events = new EpollEvents(4);
  epoll_ctl(epfd, EPOLL_CTL_ADD, server, EPOLLIN | EPOLLONESHOT);
  write(client, new Uint8Array(100));
  const first = epoll_wait(epfd, events, 4, 1000);
  const took = read(server, new Uint8Array(10)); // read a little, leave the rest
  const quiet = epoll_wait(epfd, events, 4, 100);
  const left = ioctl(server, FIONREAD);
  write(client, new Uint8Array(50)); // new bytes: under ET this would be an edge
  const still = epoll_wait(epfd, events, 4, 100);
  const waiting = ioctl(server, FIONREAD);
  epoll_ctl(epfd, EPOLL_CTL_MOD, server, EPOLLIN | EPOLLONESHOT);
  const rearmed = epoll_wait(epfd, events, 4, 1000);
  [client, server, epfd].forEach((fd) => close(fd));
  console.log(`EPOLLONESHOT: the first epoll_wait returned ${first}; after a read of ${took} bytes, epoll_wait returned ${quiet} in 100 ms with ${left} bytes unread (LT would report them)`);
  console.log(`50 new bytes: epoll_wait returned ${still} with ${waiting} bytes unread (ET would report them); after epoll_ctl(EPOLL_CTL_MOD) it returned ${rearmed} at once`);
  expectFact(first === 1 && took === 10 && quiet === 0 && left === 90, 'a one-shot fd should go quiet after its event, with 90 bytes unread');
  expectFact(still === 0 && waiting === 140 && rearmed === 1, 'new bytes should not re-arm it; MOD should, at once');

  // Four threads on one epoll fd.
  const threads = Array.from({ length: THREADS }, (_, id) => startWorker(__filename, { id, shared }));
  const exited = Promise.all(threads.map((t) => new Promise((resolve) => t.once('exit', resolve))));
  const lt = await pool(1, 'LT', EPOLLIN);
  const et = await pool(2, 'ET', EPOLLIN | EPOLLET);
  const one = await pool(3, 'EPOLLONESHOT', EPOLLIN | EPOLLONESHOT);
  Atomics.store(cells, POOL, QUIT);
  Atomics.notify(cells, POOL);
  await exited;
  expectFact(lt.most >= 2, 'LT should put the socket in two threads at once: the kernel wakes the next waiter while it is still readable');
  expectFact(et.most >= 2, 'ET should put the socket in two threads at once: the second message is a new edge');
  expectFact(one.most === 1 && one.woke === 1 && one.empty === 0, 'EPOLLONESHOT should give the socket to one thread only');
  finish('EPOLLONESHOT gives each event to one thread and keeps the fd with it until epoll_ctl(EPOLL_CTL_MOD): the way to share one epoll fd between threads');
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
