// The liburing-shaped ring against the real kernel, at its edges: the SQEs
// and calls it refuses (each a clean error, nothing submitted), and a
// thousand connections served in batches.
import { afterEach, describe, expect, it } from 'vitest';
import {
  AF_INET,
  IORING_SETUP_CQSIZE,
  IORING_SETUP_SQPOLL,
  IOSQE_BUFFER_SELECT,
  IOSQE_CQE_SKIP_SUCCESS,
  io_uring_alloc_arena,
  io_uring_buf_ring_add,
  io_uring_buf_ring_advance,
  io_uring_cqe_seen,
  io_uring_get_sqe,
  io_uring_peek_cqe,
  io_uring_prep_multishot_accept,
  io_uring_prep_nop,
  io_uring_prep_recv,
  io_uring_prep_send,
  io_uring_queue_init,
  io_uring_queue_init_params,
  io_uring_setup_buf_ring,
  io_uring_sqe_set_data,
  io_uring_sqe_set_flags,
  io_uring_submit,
  io_uring_wait_cqe,
  read,
  socket,
  connect,
  SOCK_STREAM,
  write,
  type IoUringSqe,
} from '../lib/index.js';
import { closeRingsAndFds, fds, ring, rings, sqe } from './liburing-fixture.js';
import { listening, loopback, portOf, tcpPair, uringRefused } from './helpers.js';

afterEach(closeRingsAndFds);

describe.skipIf(uringRefused())('what the ring refuses', () => {
  it('an opcode outside the allowlist: a RangeError, and nothing of the batch is submitted', () => {
    const r = ring();
    io_uring_prep_nop(sqe(r));
    const bad = sqe(r);
    io_uring_prep_nop(bad);
    bad.u8[bad.base] = 46; // IORING_OP_URING_CMD
    expect(() => io_uring_submit(r)).toThrow(/sqe\[1\] \(opcode 46\): not an opcode/);
    expect(io_uring_submit(r)).toBe(0); // the batch was dropped
    expect(io_uring_peek_cqe(r)).toBeNull();
  });

  it('a buffer past its arena, a missing arena, a null where one is needed', () => {
    const r = ring();
    const arena = io_uring_alloc_arena(r, 100);
    const { client, server } = tcpPair();
    fds.push(client, server);
    io_uring_prep_recv(sqe(r), server, arena.ref(50), 51, 0);
    expect(() => io_uring_submit(r)).toThrow(/addr: \[50, 101\) passes the end of arena 0 \(100 bytes\)/);
    io_uring_prep_recv(sqe(r), server, arena.ref(0) + 2 ** 32, 1, 0);
    expect(() => io_uring_submit(r)).toThrow(/names arena 1; the ring has 1/);
    io_uring_prep_send(sqe(r), server, 0, 1, 0);
    expect(() => io_uring_submit(r)).toThrow(/addr is null/);
    const s = sqe(r);
    io_uring_prep_recv(s, server, arena.ref(0), 1, 0);
    io_uring_sqe_set_flags(s, IOSQE_BUFFER_SELECT);
    expect(() => io_uring_submit(r)).toThrow(/addr must be 0 with IOSQE_BUFFER_SELECT/);
    const p = sqe(r);
    io_uring_prep_recv(p, server, arena.ref(0), 1, 0);
    p.u16[(p.base + 2) >>> 1] = 1 << 4; // an ioprio bit the ring does not know
    expect(() => io_uring_submit(r)).toThrow(/ioprio 0x10 has bits this ring refuses/);
  });

  it('IOSQE_CQE_SKIP_SUCCESS: an operation that could end without a CQE is refused', () => {
    const r = ring();
    const s = sqe(r);
    io_uring_prep_nop(s);
    io_uring_sqe_set_flags(s, IOSQE_CQE_SKIP_SUCCESS);
    expect(() => io_uring_submit(r)).toThrow(/flags 0x40 has bits this ring refuses/);
  });

  it('a provided buffer outside its arena publishes nothing', () => {
    const r = ring();
    const arena = io_uring_alloc_arena(r, 128);
    const br = io_uring_setup_buf_ring(r, 2, 1, 0, arena);
    io_uring_buf_ring_add(br, 0, 64, 0, 1, 0);
    io_uring_buf_ring_add(br, 100, 64, 1, 1, 1);
    expect(() => io_uring_buf_ring_advance(br, 2)).toThrow(RangeError);
    expect(br.tail).toBe(0);
    io_uring_buf_ring_add(br, 64, 64, 1, 1, 1);
    io_uring_buf_ring_advance(br, 2);
    expect(br.tail).toBe(2);
  });

  it('SQPOLL is for io_uring_setup, not the ring object', () => {
    expect(() => io_uring_queue_init(8, IORING_SETUP_SQPOLL)).toThrow(RangeError);
  });
});

describe.skipIf(uringRefused())('at scale', () => {
  it('1,000 connections: multishot accept, a recv and an echo each, in batches', () => {
    const N = 1000;
    const r = io_uring_queue_init_params(256, { flags: IORING_SETUP_CQSIZE, cq_entries: 4096 });
    rings.push(r);
    const arena = io_uring_alloc_arena(r, N * 16);
    const lfd = listening({ backlog: 1024 });
    fds.push(lfd);
    io_uring_prep_multishot_accept(sqe(r), lfd, 0, 0, 0);
    io_uring_sqe_set_data(r.sqes[0]!, 2 * N);
    io_uring_submit(r);
    const clients: number[] = [];
    for (let i = 0; i < N; i++) {
      const c = socket(AF_INET, SOCK_STREAM);
      fds.push(c);
      clients.push(c);
      connect(c, loopback(AF_INET, portOf(lfd)));
    }
    // Every completion of a phase, staging the next phase's SQE for each.
    const collect = (count: number, onCqe: (user_data: number, res: number) => void): void => {
      let got = 0;
      while (got < count) {
        const c = io_uring_wait_cqe(r);
        const ud = c.user_data;
        const res = c.res;
        io_uring_cqe_seen(r, c);
        got++;
        onCqe(ud, res);
      }
      if (r.staged > 0) io_uring_submit(r);
    };
    const stage = (): IoUringSqe => {
      let s = io_uring_get_sqe(r);
      if (s === null) {
        io_uring_submit(r);
        s = io_uring_get_sqe(r)!;
      }
      return s;
    };
    const servers: number[] = [];
    collect(N, (ud, res) => {
      expect(ud).toBe(2 * N);
      expect(res).toBeGreaterThan(0);
      fds.push(res);
      const i = servers.push(res) - 1;
      const s = stage();
      io_uring_prep_recv(s, res, arena.ref(i * 16), 16, 0);
      io_uring_sqe_set_data(s, i);
    });
    // Each client sends its own number; the server of connection i echoes it.
    clients.forEach((c, i) => write(c, new Uint32Array([i])));
    const sizes: number[] = [];
    collect(N, (i, res) => {
      sizes.push(res);
      const s = stage();
      io_uring_prep_send(s, servers[i]!, arena.ref(i * 16), res, 0);
      io_uring_sqe_set_data(s, N + i);
    });
    expect(sizes.every((x) => x === 4)).toBe(true);
    collect(N, (ud, res) => {
      expect(ud).toBeGreaterThanOrEqual(N);
      expect(res).toBe(4);
    });
    // Each connection echoes what its own peer sent, whatever the accept order.
    const echoed = clients.map((c) => {
      const b = new Uint32Array(1);
      expect(read(c, b)).toBe(4);
      return b[0]!;
    });
    expect(echoed).toEqual(clients.map((_, i) => i));
  });
});
