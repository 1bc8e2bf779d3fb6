// A TCP echo server on io_uring: the same server as 4-io-models/25-echo-lt.ts and
// 4-io-models/26-echo-et.ts, with completions instead of readiness.
//
//   npx tsx examples/5-performance/35-echo-uring.ts [port]    (port 0 or none: any free port)
//
// What it teaches. epoll says "this fd is ready, now make the call"; io_uring
// takes the call itself and says "it is done, here is the result". So the
// server never calls accept or recv: it arms ONE multishot accept, and for
// each connection ONE multishot recv that takes its buffers from a
// provided-buffer ring (the kernel picks a free buffer per receive and says
// which in the CQE). Every echo is a send from the buffer the bytes arrived
// in; the buffer goes back to the ring when the send completes. The loop is
// one call, io_uring_submit_and_wait, for all the SQEs staged since the last
// batch, and every CQE of the batch is read in place from shared memory.
//
// Two rules a completion-based server must keep, which epoll servers never
// meet:
// - one send in flight per connection: two sends on one stream socket may
//   complete out of order (the second can go while the first waits for
//   room), so what arrives meanwhile queues behind it;
// - a recv that finds no free buffer ends with -ENOBUFS: the connection
//   waits until a send hands a buffer back, then its recv is armed again.
import {
  AF_INET,
  ENOBUFS,
  IORING_CQE_BUFFER_SHIFT,
  IORING_CQE_F_MORE,
  IOSQE_BUFFER_SELECT,
  MSG_NOSIGNAL,
  SOCK_CLOEXEC,
  SOCK_STREAM,
  SOMAXCONN,
  bind,
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
  io_uring_queue_init,
  io_uring_setup_buf_ring,
  io_uring_sqe_set_buf_group,
  io_uring_sqe_set_data,
  io_uring_sqe_set_flags,
  io_uring_submit,
  io_uring_submit_and_wait,
  listen,
  socket,
  type IoUringCqe,
  type IoUringSqe,
} from 'posix-sockets';

const port = Number(process.argv[2] ?? 0);
const lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC);
bind(lfd, { family: AF_INET, address: '127.0.0.1', port });
listen(lfd, SOMAXCONN);
const bound = getsockname(lfd);
console.log(`listening ${bound.family === AF_INET ? bound.port : 0}`);

const NBUFS = 256; // a power of two
const SIZE = 16 * 1024;
const ring = io_uring_queue_init(256);
const arena = io_uring_alloc_arena(ring, NBUFS * SIZE);
const br = io_uring_setup_buf_ring(ring, NBUFS, 0, 0, arena);
for (let bid = 0; bid < NBUFS; bid++) io_uring_buf_ring_add(br, bid * SIZE, SIZE, bid, NBUFS - 1, bid);
io_uring_buf_ring_advance(br, NBUFS);
let handedBack = 0; // buffers staged since the last advance

// user_data names what completed: the kind, the connection, the buffer.
const ACCEPT = 1;
const RECV = 2;
const SEND = 3;
const CLOSE = 4;
const data = (kind: number, fd: number, bid = 0): number => kind * 2 ** 40 + bid * 2 ** 20 + fd;

interface Conn {
  queue: Array<{ bid: number; len: number }>; // received, waiting for the send ahead
  sending: { bid: number; len: number; off: number } | null;
  eof: boolean; // the peer half-closed: close once every echo is sent
}
const conns = new Map<number, Conn>();
const starved: number[] = []; // connections whose recv ended with ENOBUFS

function sqe(): IoUringSqe {
  let s = io_uring_get_sqe(ring);
  if (s === null) {
    io_uring_submit(ring); // the staging area is full: send this part of the batch now
    s = io_uring_get_sqe(ring)!;
  }
  return s;
}

function armRecv(fd: number): void {
  const s = sqe();
  io_uring_prep_recv_multishot(s, fd, 0, 0, 0); // buf 0: the kernel picks one
  io_uring_sqe_set_flags(s, IOSQE_BUFFER_SELECT);
  io_uring_sqe_set_buf_group(s, 0);
  io_uring_sqe_set_data(s, data(RECV, fd));
}

function sendNext(fd: number, c: Conn): void {
  if (c.sending === null) {
    const next = c.queue.shift();
    if (next === undefined) {
      if (c.eof) closeConn(fd);
      return;
    }
    c.sending = { ...next, off: 0 };
  }
  const sending = c.sending;
  const s = sqe();
  io_uring_prep_send(s, fd, arena.ref(sending.bid * SIZE + sending.off), sending.len - sending.off, MSG_NOSIGNAL);
  io_uring_sqe_set_data(s, data(SEND, fd, sending.bid));
}

function handBack(bid: number): void {
  io_uring_buf_ring_add(br, bid * SIZE, SIZE, bid, NBUFS - 1, handedBack++);
}

function closeConn(fd: number): void {
  const c = conns.get(fd)!;
  for (const q of c.queue) handBack(q.bid);
  conns.delete(fd);
  const s = sqe();
  io_uring_prep_close(s, fd);
  io_uring_sqe_set_data(s, data(CLOSE, fd));
}

function onCqe(cqe: IoUringCqe): void {
  const ud = cqe.user_data;
  const kind = Math.floor(ud / 2 ** 40);
  const fd = ud % 2 ** 20;
  const { res, flags } = cqe;
  const more = (flags & IORING_CQE_F_MORE) !== 0;
  if (kind === ACCEPT) {
    if (res >= 0) {
      conns.set(res, { queue: [], sending: null, eof: false });
      armRecv(res);
    }
    if (!more) armAccept(); // a multishot accept can end (an error): arm it again
  } else if (kind === RECV) {
    const c = conns.get(fd);
    if (c === undefined) return;
    if (res > 0) {
      c.queue.push({ bid: flags >>> IORING_CQE_BUFFER_SHIFT, len: res });
      if (c.sending === null) sendNext(fd, c);
      if (!more) armRecv(fd);
    } else if (res === -ENOBUFS) {
      starved.push(fd);
    } else if (!more) {
      c.eof = true; // 0: the peer's FIN; < 0: an error. Echo what is queued, then close.
      if (c.sending === null) sendNext(fd, c);
    }
  } else if (kind === SEND) {
    const c = conns.get(fd);
    const sending = c?.sending;
    if (c === undefined || sending == null) return;
    if (res > 0 && sending.off + res < sending.len) {
      sending.off += res; // a short send: the rest, before anything queued
    } else {
      handBack(sending.bid);
      c.sending = null;
      if (res < 0) c.eof = true;
    }
    sendNext(fd, c);
  }
}

function armAccept(): void {
  const s = sqe();
  io_uring_prep_multishot_accept(s, lfd, 0, 0, 0);
  io_uring_sqe_set_data(s, data(ACCEPT, lfd));
}

armAccept();
for (;;) {
  io_uring_submit_and_wait(ring, 1); // every staged SQE, then sleep until a CQE
  io_uring_cq_advance(ring, io_uring_for_each_cqe(ring, onCqe));
  if (handedBack > 0) {
    io_uring_buf_ring_advance(br, handedBack);
    handedBack = 0;
    for (const fd of starved.splice(0)) if (conns.has(fd)) armRecv(fd);
  }
}
