// Echo server through the addon's io_uring ring: the C io_uring server
// (benchmarks/c/uring-echo-server.c) in TypeScript. One multishot accept,
// one multishot recv per connection with provided buffers, a send from the
// buffer the data arrived in, the buffer handed back when the send is done.
// Per batch of completions: one io_uring_submit_and_wait, the only native
// call in steady state; the buffers come back to the kernel in batches of
// 256 (one io_uring_buf_ring_advance each), or at once when a recv ran out.
//
// How many CQEs a batch waits for: one more than the sends in flight whose
// CQE will call for nothing ("quiet": nothing queued behind it, the
// connection not closing, no recv waiting for buffers). Sends carry
// MSG_WAITALL, so one ends short only when the socket failed partway, and
// then the recv's own CQE (an error or EOF) comes too. At one connection
// the send completes inline and the same io_uring_enter goes on to wait
// for the next request: one enter per echo, not two.
//
//   node --import tsx benchmarks/servers/addon-uring.ts <blocking|loop|loop-defer> <port> [--buf N] [--nodelay] [--watch-stdin]
//
// One send in flight per connection: two sends on one stream socket may
// complete out of order, so buffers received meanwhile queue behind it.
// When it completes, everything queued goes in one io_uring_prep_sendmsg
// (up to BATCH_MAX buffers, its msghdr and iovecs in a slot of their own
// arena), as in the C server: a stream arriving in 16 KiB buffers costs one
// send per batch, not one per buffer.
//
// blocking: io_uring_submit_and_wait on the JS thread, SINGLE_ISSUER |
// DEFER_TASKRUN, as the C server. loop: an IoUringLoop inside Node's event
// loop, which submits what the callback staged and calls it again once the
// number of CQEs it returned is ready (no DEFER_TASKRUN: the loop supports
// it, but pays an eventfd read and an extra enter per wake-up: loop-defer
// measures that).
import {
  ENOBUFS,
  IORING_CQE_BUFFER_SHIFT,
  IORING_CQE_F_MORE,
  IORING_SETUP_CQSIZE,
  IORING_SETUP_DEFER_TASKRUN,
  IORING_SETUP_SINGLE_ISSUER,
  IOSQE_BUFFER_SELECT,
  IPPROTO_TCP,
  IoUringLoop,
  IoUringMsghdr,
  MSG_NOSIGNAL,
  MSG_WAITALL,
  POLLIN,
  TCP_NODELAY,
  io_uring_alloc_arena,
  io_uring_buf_ring_add,
  io_uring_buf_ring_advance,
  io_uring_cq_advance,
  io_uring_for_each_cqe,
  io_uring_get_sqe,
  io_uring_iovec_set,
  io_uring_prep_close,
  io_uring_prep_multishot_accept,
  io_uring_prep_poll_add,
  io_uring_prep_recv_multishot,
  io_uring_prep_send,
  io_uring_prep_sendmsg,
  io_uring_queue_init_params,
  io_uring_setup_buf_ring,
  io_uring_sqe_set_buf_group,
  io_uring_sqe_set_data,
  io_uring_sqe_set_flags,
  io_uring_submit,
  io_uring_submit_and_wait,
  setsockopt,
  sizeof,
  type IoUringCqe,
  type IoUringSqe,
} from 'posix-sockets';
import { parseServerArgs } from './args.js';
import { listenLoopback } from './listen.js';

const NBUFS = 2048;
const BGID = 1;
const ACCEPT = 1;
const RECV = 2;
const SEND = 3;
const CLOSE = 4;
const STDIN = 5;
const SENDMSG = 6;

const args = parseServerArgs(process.argv.slice(2), ['blocking', 'loop', 'loop-defer']);
const bufSize = Math.min(args.buf === 65536 ? 16384 : args.buf, 65536);
const { lfd, port } = listenLoopback(args.port);
const blocking = args.mode === 'blocking';
const deferred = args.mode !== 'loop'; // loop-defer: IoUringLoop on a DEFER_TASKRUN ring, to measure it
const ring = io_uring_queue_init_params(1024, {
  flags: IORING_SETUP_CQSIZE | (deferred ? IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN : 0),
  cq_entries: 8192,
});
const arena = io_uring_alloc_arena(ring, NBUFS * bufSize);
const br = io_uring_setup_buf_ring(ring, NBUFS, BGID, 0, arena);
const mask = NBUFS - 1;
for (let bid = 0; bid < NBUFS; bid++) io_uring_buf_ring_add(br, bid * bufSize, bufSize, bid, mask, bid);
io_uring_buf_ring_advance(br, NBUFS);
let recycled = 0;
const starved: number[] = []; // connections whose recv saw ENOBUFS: re-armed once buffers come back
const RECYCLE_BATCH = 256;
const sendLen = new Uint32Array(NBUFS);
const sendOff = new Uint32Array(NBUFS);
const MAXFD = 1 << 18;
const nextBid = new Int32Array(NBUFS);
const qHead = new Int32Array(MAXFD).fill(-1);
const qTail = new Int32Array(MAXFD).fill(-1);
const busy = new Uint8Array(MAXFD);
const closing = new Uint8Array(MAXFD);
let quiet = 0; // sends in flight whose CQE will call for nothing (see above)

// The sendmsg slots: a msghdr and BATCH_MAX iovecs each, lent to a
// connection for its first batch and returned when it closes. With none
// free, a connection sends its queue one buffer at a time, as before.
const BATCH_MAX = 64;
const SLOTS = 1024;
const IOVECS_AT = Math.ceil(sizeof.msghdr! / 8) * 8; // the iovecs after the msghdr, 8-byte aligned
const SLOT_SIZE = IOVECS_AT + BATCH_MAX * sizeof.iovec!;
const slotArena = io_uring_alloc_arena(ring, SLOTS * SLOT_SIZE);
const msghdrs = Array.from({ length: SLOTS }, (_, i) => new IoUringMsghdr(slotArena, i * SLOT_SIZE));
const freeSlots = Array.from({ length: SLOTS }, (_, i) => SLOTS - 1 - i);
const slotOf = new Int32Array(MAXFD).fill(-1);
const batchHead = new Int32Array(MAXFD).fill(-1); // the buffers a connection's sendmsg carries, linked by nextBid
const batchTotal = new Float64Array(MAXFD);
const isQuiet = (fd: number): number => (busy[fd] === 1 && qHead[fd]! < 0 && closing[fd] === 0 ? 1 : 0);

// user_data: type (3 bits) | bid (11 bits) | fd (18 bits), one 32-bit word.
const data = (type: number, fd: number, bid: number): number => ((type << 29) | (bid << 18) | fd) >>> 0;

function sqe(): IoUringSqe {
  let s = io_uring_get_sqe(ring);
  if (s === null) {
    io_uring_submit(ring);
    s = io_uring_get_sqe(ring)!;
  }
  return s;
}

function armAccept(): void {
  const s = sqe();
  io_uring_prep_multishot_accept(s, lfd, 0, 0, 0);
  io_uring_sqe_set_data(s, data(ACCEPT, lfd, 0));
}

function armRecv(fd: number): void {
  const s = sqe();
  io_uring_prep_recv_multishot(s, fd, 0, 0, 0);
  io_uring_sqe_set_flags(s, IOSQE_BUFFER_SELECT);
  io_uring_sqe_set_buf_group(s, BGID);
  io_uring_sqe_set_data(s, data(RECV, fd, 0));
}

function send(fd: number, bid: number): void {
  const s = sqe();
  io_uring_prep_send(s, fd, arena.ref(bid * bufSize + sendOff[bid]!), sendLen[bid]! - sendOff[bid]!, MSG_NOSIGNAL | MSG_WAITALL);
  io_uring_sqe_set_data(s, data(SEND, fd, bid));
}

// The buffers queued on `fd` (up to BATCH_MAX), taken off its queue and sent
// in order by one sendmsg; false when no slot is free.
function sendBatch(fd: number): boolean {
  let slot = slotOf[fd]!;
  if (slot < 0) {
    if (freeSlots.length === 0) return false;
    slot = slotOf[fd] = freeSlots.pop()!;
  }
  const iovs = slot * SLOT_SIZE + IOVECS_AT;
  let n = 0;
  let last = -1;
  let total = 0;
  batchHead[fd] = qHead[fd]!;
  for (let bid = qHead[fd]!; bid >= 0 && n < BATCH_MAX; bid = nextBid[bid]!, n++) {
    io_uring_iovec_set(slotArena, iovs, n, arena.ref(bid * bufSize), sendLen[bid]!); // a queued buffer is unsent: no offset
    total += sendLen[bid]!;
    last = bid;
  }
  qHead[fd] = nextBid[last]!;
  if (qHead[fd]! < 0) qTail[fd] = -1;
  nextBid[last] = -1;
  batchTotal[fd] = total;
  const msg = msghdrs[slot]!;
  msg.msg_iov = slotArena.ref(iovs);
  msg.msg_iovlen = n;
  const s = sqe();
  io_uring_prep_sendmsg(s, fd, msg.ref, MSG_NOSIGNAL | MSG_WAITALL);
  io_uring_sqe_set_data(s, data(SENDMSG, fd, 0));
  return true;
}

// Sends `bid` now, or queues it behind the send in flight.
function echo(fd: number, bid: number): void {
  if (busy[fd] === 0) {
    busy[fd] = 1;
    send(fd, bid);
    return;
  }
  nextBid[bid] = -1;
  if (qTail[fd]! >= 0) nextBid[qTail[fd]!] = bid;
  else qHead[fd] = bid;
  qTail[fd] = bid;
}

function recycle(bid: number): void {
  io_uring_buf_ring_add(br, bid * bufSize, bufSize, bid, mask, recycled++);
}

function closeFd(fd: number): void {
  if (busy[fd] === 1) {
    closing[fd] = 1; // after the send in flight, which still names this fd
    return;
  }
  closing[fd] = 0;
  if (slotOf[fd]! >= 0) {
    freeSlots.push(slotOf[fd]!);
    slotOf[fd] = -1;
  }
  const s = sqe();
  io_uring_prep_close(s, fd);
  io_uring_sqe_set_data(s, data(CLOSE, fd, 0));
}

// The send in flight is done: the next queued buffer, or all of them in one
// sendmsg, if any.
function sendDone(fd: number, failed: boolean): void {
  if (!failed && qHead[fd]! >= 0 && qHead[fd] !== qTail[fd] && sendBatch(fd)) return;
  while (qHead[fd]! >= 0) {
    const bid = qHead[fd]!;
    qHead[fd] = nextBid[bid]!;
    if (qHead[fd]! < 0) qTail[fd] = -1;
    if (!failed) {
      send(fd, bid);
      return;
    }
    recycle(bid);
  }
  busy[fd] = 0;
  if (closing[fd] === 1) closeFd(fd);
}

function onCqe(c: IoUringCqe): void {
  const ud = c.user_data;
  const res = c.res;
  const flags = c.flags;
  const type = ud >>> 29;
  const fd = ud & 0x3ffff;
  const wasQuiet = isQuiet(fd);
  switch (type) {
    case ACCEPT:
      if (res >= 0) {
        if (args.nodelay) setsockopt(res, IPPROTO_TCP, TCP_NODELAY, 1);
        armRecv(res);
      }
      if ((flags & IORING_CQE_F_MORE) === 0) armAccept();
      break;
    case RECV:
      if (res > 0) {
        const bid = flags >>> IORING_CQE_BUFFER_SHIFT;
        sendLen[bid] = res;
        sendOff[bid] = 0;
        echo(fd, bid);
        if ((flags & IORING_CQE_F_MORE) === 0) armRecv(fd);
      } else if (res === -ENOBUFS) {
        starved.push(fd); // every buffer is in flight: sends will hand some back
      } else if ((flags & IORING_CQE_F_MORE) === 0) {
        closeFd(fd); // EOF or an error
      }
      break;
    case SEND: {
      const bid = (ud >>> 18) & 0x7ff;
      if (res > 0 && sendOff[bid]! + res < sendLen[bid]!) {
        sendOff[bid]! += res; // a short send: the rest
        send(fd, bid);
      } else {
        recycle(bid);
        sendDone(fd, res < 0);
      }
      break;
    }
    case SENDMSG: {
      // MSG_WAITALL: short only when the socket failed partway, as above.
      for (let bid = batchHead[fd]!, next; bid >= 0; bid = next) {
        next = nextBid[bid]!;
        recycle(bid);
      }
      sendDone(fd, res < batchTotal[fd]!);
      break;
    }
    case STDIN:
      process.exit(0); // --watch-stdin: the runner went away or told us to stop
  }
  quiet += isQuiet(fd) - wasQuiet; // every change above is to this fd's state
}

// URING_STATS=1: what Node-API calls per message follow from, printed at
// exit: one submit a batch, one advance per 256 buffers, one setsockopt a
// connection (an echo is two CQEs: the recv and the send).
const stats = process.env.URING_STATS === '1';
let batches = 0;
let cqes = 0;
let advances = 0;
if (stats) {
  process.on('exit', () => process.stderr.write(`uring-stats batches=${batches} cqes=${cqes} advances=${advances} cqes/batch=${(cqes / batches).toFixed(1)}\n`));
}

// One batch: every ready CQE and the buffers they freed; returns how many
// CQEs the next one waits for.
function batch(): number {
  const n = io_uring_for_each_cqe(ring, onCqe);
  io_uring_cq_advance(ring, n);
  if (stats) {
    batches++;
    cqes += n;
  }
  if (recycled >= RECYCLE_BATCH || (starved.length > 0 && recycled > 0)) {
    io_uring_buf_ring_advance(br, recycled);
    recycled = 0;
    advances++;
    for (const fd of starved.splice(0)) armRecv(fd);
  }
  return starved.length > 0 ? 1 : quiet + 1; // a starved recv waits for any buffer back
}

armAccept();
if (args.watchStdin) {
  const s = sqe();
  io_uring_prep_poll_add(s, 0, POLLIN);
  io_uring_sqe_set_data(s, data(STDIN, 0, 0));
}
process.stdout.write(`ready ${port}\n`);
io_uring_submit(ring);
if (blocking) {
  for (;;) io_uring_submit_and_wait(ring, batch());
} else {
  new IoUringLoop(ring).start(batch); // it submits what batch staged
}
