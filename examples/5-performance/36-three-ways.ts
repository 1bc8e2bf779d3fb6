// Lesson: the same echo server three ways, and the system calls each makes
// per message.
//  - blocking: accept, then read and write on that one client until it
//    closes, then the next: one client at a time, the others wait;
//  - epoll, level-triggered: non-blocking sockets, one thread, epoll_wait
//    says which fds are ready, then a read and a write for each message;
//  - io_uring (the liburing-shaped layer): one multishot accept, one
//    multishot recv per connection taking buffers from a provided-buffer
//    ring, a send per echo; the whole batch goes to the kernel in one
//    io_uring_enter, which also waits for the next completions.
// The same traffic drives each: 4 clients in a worker thread (node:net), each
// sending 200 messages of 64 B, the next one when the echo of the last is back.
//
// How the calls are counted: every call this library makes is one system
// call, by design, so the server's calls into the library, tallied by its
// trace hook (trace(fn) sees each call into the addon), are the server's
// system calls. The io_uring ring's bookkeeping calls that enter no kernel
// (io_uring_buf_ring_advance writes the buffer ring's tail in shared memory)
// are counted apart. No strace needed; under `strace -f` the main thread's
// calls between each "serving" line and the next line are the same numbers
// (and, now and then, Node's own: an 8-byte write to its eventfd when V8
// posts itself a task).
// Run: npx tsx examples/5-performance/36-three-ways.ts
import {
  AF_INET,
  ENOBUFS,
  EPOLLIN,
  EPOLL_CTL_ADD,
  ETIME,
  EpollEvents,
  IORING_CQE_BUFFER_SHIFT,
  IORING_CQE_F_MORE,
  IOSQE_BUFFER_SELECT,
  MSG_NOSIGNAL,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_RCVTIMEO,
  accept,
  accept4,
  bind,
  close,
  epoll_create1,
  epoll_ctl,
  epoll_wait,
  getsockname,
  io_uring_alloc_arena,
  io_uring_buf_ring_add,
  io_uring_buf_ring_advance,
  io_uring_cq_advance,
  io_uring_for_each_cqe,
  io_uring_get_sqe,
  io_uring_prep_close,
  io_uring_prep_multishot_accept,
  io_uring_prep_recv_multishot,
  io_uring_prep_send,
  io_uring_prep_timeout,
  io_uring_queue_exit,
  io_uring_queue_init,
  io_uring_setup_buf_ring,
  io_uring_sqe_set_buf_group,
  io_uring_sqe_set_data,
  io_uring_sqe_set_flags,
  io_uring_submit,
  io_uring_submit_and_wait,
  listen,
  read,
  setsockopt,
  socket,
  trace,
  write,
  type IoUringCqe,
  type SockaddrIn,
} from 'posix-sockets';
import { pingPongClients } from '../common/echo-clients.js';
import { expectFact, finish } from '../common/lesson.js';

const CLIENTS = 4;
const MESSAGES = 200;
const SIZE = 64;
const TOTAL = CLIENTS * MESSAGES;
const GIVE_UP_S = 10; // every server and the clients stop waiting after this

/** A listening TCP socket on 127.0.0.1, any port. */
function listening(type: number): { fd: number; port: number } {
  const fd = socket(AF_INET, type, 0);
  bind(fd, { family: AF_INET, address: '127.0.0.1', port: 0 });
  listen(fd, 16);
  return { fd, port: (getsockname(fd) as SockaddrIn).port };
}

// The trace names each call as strace names its system call, but for the
// ring's own native calls: io_uring_submit's is one io_uring_enter, and
// io_uring_buf_ring_advance's none. Any other is counted as a system call
// under its own name, so nothing is hidden.
const SYSCALL_OF: Record<string, string> = { uringSubmit: 'io_uring_enter' };
const NOT_A_SYSCALL: Record<string, string> = { uringBufRingAdvance: 'io_uring_buf_ring_advance' };

interface Tally {
  calls: Map<string, number>; // system call -> count
  other: Map<string, number>; // library calls that enter no kernel
}

/** Runs `serve` with every library call it makes tallied by name. */
function counted(serve: () => void): Tally {
  const t: Tally = { calls: new Map(), other: new Map() };
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  trace((line) => {
    const name = line.slice(0, line.indexOf('('));
    if (name in NOT_A_SYSCALL) add(t.other, NOT_A_SYSCALL[name]!);
    else add(t.calls, SYSCALL_OF[name] ?? name);
  });
  try {
    serve();
  } finally {
    trace(false);
  }
  return t;
}

// 1. Blocking, one client at a time. SO_RCVTIMEO bounds each wait (the
// accepted sockets inherit it: the kernel clones the listener's socket).
function blockingServer(lfd: number): void {
  const buf = Buffer.alloc(4096);
  for (let served = 0; served < CLIENTS; served++) {
    const cfd = accept(lfd);
    if (cfd === -1) return; // timed out: no client came
    try {
      for (let n; (n = read(cfd, buf)) > 0; ) write(cfd, buf, n); // a blocking write returns once all n bytes are queued
    } catch {
      // ECONNRESET, EPIPE: the client is gone
    }
    close(cfd); // read returned 0: the client closed (or -1: it timed out)
  }
}

// 2. epoll, level-triggered: one read per event; what is left is reported again.
function epollServer(lfd: number, epfd: number, seen: { events: number }): void {
  const events = new EpollEvents(64);
  const buf = Buffer.alloc(4096);
  for (let closed = 0; closed < CLIENTS; ) {
    const n = epoll_wait(epfd, events, events.capacity, GIVE_UP_S * 1000);
    if (n === 0) return; // timed out
    seen.events += n;
    for (let i = 0; i < n; i++) {
      const fd = events.data(i);
      if (fd === lfd) {
        const cfd = accept4(lfd, null, null, SOCK_NONBLOCK);
        if (cfd !== -1) epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, EPOLLIN);
        continue;
      }
      let r: number;
      try {
        r = read(fd, buf);
        if (r > 0) write(fd, buf, r); // 64 B, one at a time: never short here (4-io-models/25-echo-lt.ts shows what a short write needs)
      } catch {
        r = 0; // ECONNRESET, EPIPE: the client is gone
      }
      if (r === 0) {
        close(fd); // also leaves the epoll set
        closed++;
      }
    }
  }
}

// 3. io_uring: user_data says what completed: the kind, the connection, the buffer.
const [ACCEPT, RECV, SEND, CLOSE, TIMEOUT] = [1, 2, 3, 4, 5];
const NBUFS = 64; // a buffer is held from its recv until its send completes: one per client here
const BUF = 4096;
const data = (kind: number, fd: number, bid = 0): number => kind * 2 ** 40 + bid * 2 ** 20 + fd;

function uringServer(lfd: number): Server {
  const ring = io_uring_queue_init(64);
  const arena = io_uring_alloc_arena(ring, NBUFS * BUF + 16);
  const br = io_uring_setup_buf_ring(ring, NBUFS, 0, 0, arena);
  for (let bid = 0; bid < NBUFS; bid++) io_uring_buf_ring_add(br, bid * BUF, BUF, bid, NBUFS - 1, bid);
  io_uring_buf_ring_advance(br, NBUFS);
  const ts = NBUFS * BUF; // struct __kernel_timespec { tv_sec, tv_nsec } for the give-up timeout
  new DataView(arena.bytes.buffer).setBigInt64(ts, BigInt(GIVE_UP_S), true);
  const sqe = () => {
    let s = io_uring_get_sqe(ring);
    if (s === null) {
      io_uring_submit(ring); // the staging area is full: this part of the batch goes now
      s = io_uring_get_sqe(ring)!;
    }
    return s;
  };
  const queues = new Map<number, Array<{ bid: number; len: number }>>(); // per connection: received, not yet sent
  let handedBack = 0;
  let closed = 0;
  let gaveUp = false;
  let completions = 0;

  const armRecv = (fd: number) => {
    const s = sqe();
    io_uring_prep_recv_multishot(s, fd, 0, 0, 0); // buffer 0: the kernel picks one from the ring
    io_uring_sqe_set_flags(s, IOSQE_BUFFER_SELECT);
    io_uring_sqe_set_buf_group(s, 0);
    io_uring_sqe_set_data(s, data(RECV, fd));
  };
  // One send in flight per connection (two could complete out of order); the rest queue behind it.
  // A 64 B send is never short here; 5-performance/35-echo-uring.ts sends the rest of a short one.
  const send = (fd: number, q: Array<{ bid: number; len: number }>) => {
    const s = sqe();
    io_uring_prep_send(s, fd, arena.ref(q[0]!.bid * BUF), q[0]!.len, MSG_NOSIGNAL);
    io_uring_sqe_set_data(s, data(SEND, fd, q[0]!.bid));
  };
  const closeConn = (fd: number) => {
    queues.delete(fd);
    const s = sqe();
    io_uring_prep_close(s, fd);
    io_uring_sqe_set_data(s, data(CLOSE, fd));
  };
  const onCqe = (cqe: IoUringCqe) => {
    completions++;
    const kind = Math.floor(cqe.user_data / 2 ** 40);
    const fd = cqe.user_data % 2 ** 20;
    const { res, flags } = cqe;
    const q = queues.get(fd);
    if (kind === ACCEPT) {
      if (res >= 0) {
        queues.set(res, []);
        armRecv(res);
      }
      if (!(flags & IORING_CQE_F_MORE)) armAccept(); // a multishot accept that ended (an error): again
    } else if (kind === RECV && q && res > 0) {
      q.push({ bid: flags >>> IORING_CQE_BUFFER_SHIFT, len: res });
      if (q.length === 1) send(fd, q);
      if (!(flags & IORING_CQE_F_MORE)) armRecv(fd);
    } else if (kind === RECV && q && res === -ENOBUFS) {
      armRecv(fd); // every buffer in use: armed again after this batch hands some back
    } else if (kind === RECV && q && !(flags & IORING_CQE_F_MORE)) {
      closeConn(fd); // 0: the client closed (ping-pong: nothing of it is queued)
    } else if (kind === SEND) {
      const bid = Math.floor(cqe.user_data / 2 ** 20) % 2 ** 20;
      io_uring_buf_ring_add(br, bid * BUF, BUF, bid, NBUFS - 1, handedBack++);
      q?.shift();
      if (q?.length) send(fd, q);
    } else if (kind === CLOSE) closed++;
    else if (kind === TIMEOUT && res === -ETIME) gaveUp = true;
  };

  const armAccept = () => {
    const s = sqe();
    io_uring_prep_multishot_accept(s, lfd, 0, 0, 0);
    io_uring_sqe_set_data(s, data(ACCEPT, lfd));
  };
  armAccept();
  const t = sqe();
  io_uring_prep_timeout(t, arena.ref(ts), 0, 0);
  io_uring_sqe_set_data(t, data(TIMEOUT, 0));
  const serve = () => {
    while (closed < CLIENTS && !gaveUp) {
      io_uring_submit_and_wait(ring, 1); // the staged SQEs, then sleep until a completion
      io_uring_cq_advance(ring, io_uring_for_each_cqe(ring, onCqe));
      if (handedBack > 0) {
        io_uring_buf_ring_advance(br, handedBack); // no system call: the ring's tail, in shared memory
        handedBack = 0;
      }
    }
  };
  return {
    serve,
    batch: (t) => `${completions} completions, ${(completions / (t.calls.get('io_uring_enter') ?? 1)).toFixed(2)} per io_uring_enter`,
    done: () => io_uring_queue_exit(ring), // cancels the accept and the timeout still armed
  };
}

const WHAT: Record<string, string> = {
  blocking: 'one client at a time',
  'epoll LT': 'level-triggered, one thread',
  io_uring: 'multishot accept and recv, a provided-buffer ring',
};

interface Server {
  serve(): void;
  /** How many events each wait brought, for the report. */
  batch?(t: Tally): string;
  done(): void;
}

/**
 * Sets up a listening socket and a server on it, starts the clients, and
 * serves them with every library call counted. Setup and teardown are
 * outside the count (and outside the two lines printed around it).
 */
async function serveWith(name: string, type: number, prepare: (lfd: number) => Server) {
  const l = listening(type);
  const server = prepare(l.fd);
  const clients = pingPongClients(l.port, CLIENTS, MESSAGES, SIZE, GIVE_UP_S * 1000);
  console.log(`${name}: serving ${CLIENTS} clients x ${MESSAGES} messages of ${SIZE} B`);
  const tally = counted(server.serve);
  const list = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  const total = [...tally.calls.values()].reduce((a, b) => a + b, 0);
  console.log(
    `${name} (${WHAT[name]}): ${total} system calls, ${(total / TOTAL).toFixed(2)} per message: ${list(tally.calls)}` +
      (tally.other.size ? `; besides, ${list(tally.other)} (library calls that make no system call)` : '') +
      (server.batch ? `; ${server.batch(tally)}` : ''),
  );
  const result = { name, perMessage: total / TOTAL, tally, clients: await clients };
  server.done();
  close(l.fd);
  return result;
}

const blocking = () =>
  serveWith('blocking', SOCK_STREAM, (lfd) => {
    setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, GIVE_UP_S * 1000);
    return { serve: () => blockingServer(lfd), done: () => {} };
  });
const epoll = () =>
  serveWith('epoll LT', SOCK_STREAM | SOCK_NONBLOCK, (lfd) => {
    const epfd = epoll_create1(0);
    epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, EPOLLIN);
    const seen = { events: 0 };
    return {
      serve: () => epollServer(lfd, epfd, seen),
      batch: (t) => `${seen.events} events, ${(seen.events / (t.calls.get('epoll_wait') ?? 1)).toFixed(2)} per epoll_wait`,
      done: () => close(epfd),
    };
  });
const uring = () => serveWith('io_uring', SOCK_STREAM, uringServer);

async function main(): Promise<void> {
  const perMessage: Record<string, number> = {};
  for (const way of [blocking, epoll, uring]) {
    const { name, perMessage: pm, clients } = await way();
    perMessage[name] = pm;
    const intact = clients.reduce((a, c) => a + c.intact, 0);
    // One after another: each client's first echo came after the previous one's last.
    const order = [...clients].sort((a, b) => a.firstEcho - b.firstEcho);
    const oneByOne = order.every((c, i) => i === 0 || c.firstEcho > order[i - 1]!.lastEcho);
    const sideBySide = clients.every((c) => clients.every((d) => c.firstEcho < d.lastEcho));
    console.log(
      `${name}: ${intact} of ${TOTAL} messages echoed intact; the clients were served ` +
        (oneByOne ? 'one after another (each waited until the one before had finished)' : sideBySide ? 'side by side' : 'interleaved'),
    );
    const errors = clients.map((c) => c.error).filter(Boolean);
    expectFact(intact === TOTAL, `${name} should echo all ${TOTAL} messages intact, echoed ${intact}${errors.length ? ` (clients: ${errors.join(', ')})` : ''}`);
    expectFact(name === 'blocking' ? oneByOne : sideBySide, `${name} should serve the clients ${name === 'blocking' ? 'one after another' : 'side by side'}`);
  }
  const [b, e, u] = [perMessage.blocking!, perMessage['epoll LT']!, perMessage.io_uring!];
  console.log(
    `system calls per message: io_uring ${u.toFixed(2)}, blocking ${b.toFixed(2)}, epoll LT ${e.toFixed(2)}. ` +
      'Blocking: a read and a write per message, and one client at a time. epoll: the same read and write, for every client at once, ' +
      'and an epoll_wait per wake-up on top. io_uring: no read or write at all; each of its completions stands for one of the ' +
      "blocking server's calls (a recv for a read, a send for a write, an accept, an EOF, a close), and each io_uring_enter " +
      'submits what is staged and waits for at least one of them: so at most as many calls as blocking, fewer the more complete together',
  );
  // Not a matter of timing: epoll makes the blocking server's calls and its waits
  // on top; io_uring at most one io_uring_enter per completion, one for each of them.
  expectFact(u <= b, `io_uring (${u.toFixed(2)}) should make at most as many system calls per message as blocking (${b.toFixed(2)})`);
  expectFact(b < e, `blocking (${b.toFixed(2)}) should make fewer system calls per message than epoll (${e.toFixed(2)})`);
  finish('the same echo three ways: what differs is what a message costs in system calls, and who waits');
}

main().catch((e: unknown) => {
  console.log(`not observed: the lesson failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
