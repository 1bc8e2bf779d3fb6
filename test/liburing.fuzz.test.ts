// Random bytes over the SQE staging area and the buffer ring's staging
// entries, submitted to the real kernel: every batch is either refused whole
// with a RangeError or submitted, and nothing crashes (run it under
// `npm run test:sanitized` for the ASan + UBSan verdict). What is random is
// every byte of each SQE; what is not is only what would hurt the test
// process rather than memory: the fd field is one of the test's own
// sockets (or an invalid number), so a random close(2) or write(2) cannot
// hit vitest's fds.
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
  io_uring_setup_buf_ring,
  io_uring_sqe_set_data,
  io_uring_submit,
  socket,
  SocketError,
} from '../lib/index.js';
import { closeAll, listening, tcpPair, uringRefused } from './helpers.js';

// The opcodes the ring submits, so that about half the SQEs get past the
// opcode check to the field checks behind it.
const ALLOWED = [0, 6, 7, 11, 12, 13, 14, 15, 16, 19, 22, 23, 26, 27, 34, 45, 47];

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
    let refused = 0;
    let submitted = 0;
    let other = 0;
    const created: number[] = [];
    const drain = (): void => {
      for (let c = io_uring_peek_cqe(r); c !== null; c = io_uring_peek_cqe(r)) {
        // user_data says which opcode it was: a SOCKET's result is a new fd.
        if (Math.floor(c.user_data / 1000) === IORING_OP_SOCKET && c.res >= 0) created.push(c.res);
        io_uring_cqe_seen(r, c);
      }
    };
    for (let batch = 0; batch < 1500; batch++) {
      const k = 1 + (rand() % 6);
      // Half the batches are tamed, every SQE in them plausible, so that
      // whole batches reach the kernel and not only the first refusal.
      const tame = (rand() & 1) === 1;
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
        }
        sqe.i32[(sqe.base >>> 2) + 1] = op === IORING_OP_CLOSE ? -1 : ours[rand() % ours.length]!;
        io_uring_sqe_set_data(sqe, op * 1000 + i);
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
    expect(refused).toBeGreaterThan(0);
    expect(submitted).toBeGreaterThan(0);
  });
});
