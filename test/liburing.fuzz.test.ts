// Random bytes over the SQE staging area and the buffer ring's staging
// entries, submitted to the real kernel: every batch is either refused whole
// with a RangeError or submitted, and nothing crashes (run it under
// `npm run test:sanitized` for the ASan + UBSan verdict). What is random is
// every byte of each SQE; what is not is only what would hurt the test
// process rather than memory: the fd field is one of the test's own
// sockets (or an invalid number), so a random close(2) or write(2) cannot
// hit vitest's fds. sendmsg and recvmsg name msghdrs in arena 0 whose
// fields (and iovecs) are random too, and rewritten while their operations
// are in flight; two registered buffers give the fixed opcodes something to
// pass or fail against.
import { afterEach, describe, expect, it } from 'vitest';
import {
  AF_INET,
  IORING_OP_CLOSE,
  IORING_OP_SOCKET,
  SOCK_STREAM,
  io_uring_alloc_arena,
  io_uring_buf_ring_advance,
  io_uring_cqe_seen,
  io_uring_get_sqe,
  io_uring_peek_cqe,
  io_uring_queue_exit,
  io_uring_queue_init,
  io_uring_register_buffers,
  io_uring_setup_buf_ring,
  io_uring_sqe_set_data,
  io_uring_submit,
  socket,
  SocketError,
} from '../lib/index.js';
import { closeAll, listening, tcpPair, uringRefused } from './helpers.js';

// The opcodes the ring submits, so that about half the SQEs get past the
// opcode check to the field checks behind it.
const ALLOWED = [0, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 19, 22, 23, 26, 27, 34, 45, 47];
const SENDMSG = 9;
const RECVMSG = 10;
// Arena 0: msghdrs at 1024 + 64 k (k < 4), iovecs from 1536.
const MSGHDRS = 1024;
const IOVECS = 1536;

// xorshift32: reproducible from the seed the test prints.
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

let fds: number[] = [];
afterEach(() => {
  closeAll(...fds);
  fds = [];
});

describe.skipIf(uringRefused())('io_uring fuzz', () => {
  it('random SQEs are refused cleanly or run, never crash', () => {
    const seed = Number(process.env.URING_FUZZ_SEED ?? Date.now() % 2 ** 31);
    console.log(`io_uring fuzz seed ${seed} (URING_FUZZ_SEED=${seed} to repeat)`);
    const rand = rng(seed);
    const r = io_uring_queue_init(32, 0);
    const { client, server } = tcpPair();
    const lfd = listening();
    const spare = socket(AF_INET, SOCK_STREAM);
    fds.push(client, server, lfd, spare);
    const ours = [client, server, lfd, spare, -1, 1_000_000];
    const arenas = [io_uring_alloc_arena(r, 4096), io_uring_alloc_arena(r, 100)];
    new BigInt64Array(arenas[0]!.bytes.buffer, 0, 2).set([0n, 800_000n]);
    const br = io_uring_setup_buf_ring(r, 8, 1, 0, arenas[0]!);
    io_uring_register_buffers(r, [
      { iov_base: arenas[0]!.ref(0), iov_len: 2048 },
      { iov_base: arenas[0]!.ref(2048), iov_len: 2048 },
    ]);
    const view = new DataView(arenas[0]!.bytes.buffer);
    // A reference as two words: offset, then arena index + 1 (2: none such).
    const putRef = (at: number, off: number, arena: number): void => {
      view.setUint32(at, off, true);
      view.setUint32(at + 4, arena + 1, true);
    };
    const scribble = (tame: boolean): void => {
      for (let at = MSGHDRS; at < IOVECS + 16 * 8; at += 4) view.setUint32(at, rand(), true);
      if (!tame) return;
      for (let k = 0; k < 4; k++) {
        const h = MSGHDRS + 64 * k;
        if (rand() & 1) putRef(h, 2000 + (rand() % 200), rand() % 8 === 0 ? 1 + (rand() & 1) : 0);
        else putRef(h, 0, -1); // NULL
        view.setUint32(h + 8, rand() % 140, true); // msg_namelen
        putRef(h + 16, IOVECS + 16 * (rand() % 4), rand() & 3 ? 0 : 1);
        view.setUint32(h + 24, rand() % 16 === 0 ? 1025 : rand() % 4, true); // msg_iovlen
        view.setUint32(h + 28, 0, true);
        if (rand() & 1) putRef(h + 32, 3000 + (rand() % 950), 0);
        else putRef(h + 32, 0, -1);
        view.setUint32(h + 40, rand() % 200, true); // msg_controllen
        view.setUint32(h + 44, 0, true);
      }
      for (let i = 0; i < 8; i++) {
        const v = IOVECS + 16 * i;
        putRef(v, rand() % 3900, rand() % 16 ? 0 : 1);
        view.setUint32(v + 8, rand() % 300, true);
        view.setUint32(v + 12, 0, true);
      }
    };
    let serial = 0;
    let refused = 0;
    let submitted = 0;
    let other = 0;
    const created: number[] = [];
    const completed = new Map<number, number>(); // CQEs by opcode
    const drain = (): void => {
      for (let c = io_uring_peek_cqe(r); c !== null; c = io_uring_peek_cqe(r)) {
        // user_data says which opcode it was: a SOCKET's result is a new fd.
        if (c.user_data % 256 === IORING_OP_SOCKET && c.res >= 0) created.push(c.res);
        completed.set(c.user_data % 256, (completed.get(c.user_data % 256) ?? 0) + 1);
        io_uring_cqe_seen(r, c);
      }
    };
    for (let batch = 0; batch < 1500; batch++) {
      const k = 1 + (rand() % 6);
      // Half the batches are tamed, every SQE in them plausible, so that
      // whole batches reach the kernel and not only the first refusal.
      const tame = (rand() & 1) === 1;
      scribble(tame); // also over the msghdrs of operations in flight
      for (let i = 0; i < k; i++) {
        const sqe = io_uring_get_sqe(r);
        if (sqe === null) break;
        const words = sqe.u32.subarray(sqe.base >>> 2, (sqe.base >>> 2) + 16);
        for (let w = 0; w < 16; w++) words[w] = rand();
        if (tame || rand() & 1) sqe.u8[sqe.base] = ALLOWED[rand() % ALLOWED.length]!;
        const op = sqe.u8[sqe.base]!;
        // A buffer reference that often names a real arena, near its end.
        if (tame || rand() & 1) {
          const arena = tame ? 0 : rand() % 3;
          words[4] = rand() % 4200;
          words[5] = arena + 1;
          words[6] = tame ? rand() % (4096 - words[4]! + 1) : rand() % 4200;
        }
        if (tame) {
          sqe.u8[sqe.base + 1]! &= 0x3f; // not IOSQE_CQE_SKIP_SUCCESS, nor bit 7
          if (rand() & 1) sqe.u8[sqe.base + 1]! &= ~0x20; // often no buffer select
          sqe.u16[(sqe.base + 2) >>> 1]! &= 0x3;
          words[2] = rand() % 200; // off: addrlen, count
          words[3] = 0;
          words[7] = rand() & 1 ? 0 : words[7]! & 0x7;
          words[8] = 0;
          // a timespec of up to 0.8 ms, read from the start of arena 0
          if (op === 11 || op === 15) words[4] = 0;
          if (op === SENDMSG || op === RECVMSG) {
            words[4] = MSGHDRS + 64 * (rand() % 4) + (rand() % 10 === 0 ? 8 : 0);
            if (rand() & 3) sqe.u16[(sqe.base + 2) >>> 1]! &= 1; // mostly not multishot
            if (op === SENDMSG && rand() & 3) sqe.u8[sqe.base + 1]! &= ~0x20;
          }
          if (op === 4 || op === 5) {
            const b = rand() % 3; // 2: no such buffer
            sqe.u16[(sqe.base + 40) >>> 1] = b;
            words[4] = (b & 1) * 2048 + (rand() % 2048);
            words[6] = rand() % (2048 - (words[4]! % 2048) + (rand() & 1 ? 1 : 64));
          }
        }
        sqe.i32[(sqe.base >>> 2) + 1] = op === IORING_OP_CLOSE ? -1 : ours[rand() % ours.length]!;
        io_uring_sqe_set_data(sqe, ++serial * 256 + op);
      }
      try {
        io_uring_submit(r);
        submitted++;
      } catch (e) {
        if (e instanceof RangeError) refused++;
        else if (e instanceof SocketError) other++;
        else throw e;
      }
      if (batch % 50 === 0) {
        // The buffer ring's staging entries too.
        for (let w = 0; w < br.u32.length; w++) br.u32[w] = rand() % 8192;
        try {
          io_uring_buf_ring_advance(br, rand() % 9);
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
        }
      }
      drain();
    }
    io_uring_queue_exit(r);
    closeAll(...created);
    console.log(`io_uring fuzz: ${submitted} batches submitted, ${refused} refused, ${other} kernel errors`);
    const of = (op: number): number => completed.get(op) ?? 0;
    console.log(`io_uring fuzz: CQEs of sendmsg ${of(SENDMSG)}, recvmsg ${of(RECVMSG)}, read_fixed ${of(4)}, write_fixed ${of(5)}`);
    // The new opcodes reached the kernel, not only the refusals.
    for (const op of [SENDMSG, RECVMSG, 4, 5]) expect(of(op)).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(submitted).toBeGreaterThan(0);
  });
});
