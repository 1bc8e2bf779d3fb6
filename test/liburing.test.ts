// The liburing-shaped ring against the real kernel: accept, recv, send,
// close, shutdown, cancel, timeouts, provided buffers running out (ENOBUFS)
// and recovering, a peer reset mid-stream, and SQEs the ring refuses.
import { afterEach, describe, expect, it } from 'vitest';
import {
  AF_INET,
  ECANCELED,
  ECONNRESET,
  ENOBUFS,
  ETIME,
  F_GETFD,
  IORING_CQE_BUFFER_SHIFT,
  IORING_CQE_F_BUFFER,
  IORING_CQE_F_MORE,
  IORING_SETUP_DEFER_TASKRUN,
  IORING_SETUP_SINGLE_ISSUER,
  IOSQE_BUFFER_SELECT,
  SHUT_WR,
  SOL_SOCKET,
  SO_LINGER,
  close,
  eventfd,
  fcntl,
  io_uring_alloc_arena,
  io_uring_buf_ring_add,
  io_uring_buf_ring_advance,
  io_uring_buf_ring_mask,
  io_uring_cq_advance,
  io_uring_cq_ready,
  io_uring_for_each_cqe,
  io_uring_get_sqe,
  io_uring_peek_cqe,
  io_uring_prep_accept,
  io_uring_prep_cancel64,
  io_uring_prep_close,
  io_uring_prep_multishot_accept,
  io_uring_prep_nop,
  io_uring_prep_recv,
  io_uring_prep_recv_multishot,
  io_uring_prep_send,
  io_uring_prep_shutdown,
  io_uring_prep_timeout,
  io_uring_prep_timeout_remove,
  io_uring_queue_exit,
  io_uring_queue_init,
  io_uring_setup_buf_ring,
  io_uring_sqe_set_buf_group,
  io_uring_sqe_set_data,
  io_uring_sqe_set_flags,
  io_uring_submit,
  io_uring_submit_and_wait,
  read,
  setsockopt,
  socket,
  connect,
  SOCK_STREAM,
  write,
} from '../lib/index.js';
import { closeRingsAndFds, fds, ring, rings, sqe, next } from './liburing-fixture.js';
import { listening, loopback, portOf, tcpPair, uringRefused } from './helpers.js';

afterEach(closeRingsAndFds);

describe.skipIf(uringRefused())('io_uring ring', () => {
  it('a NOP comes back with its user_data, up to 2**53 - 1', () => {
    const r = ring();
    io_uring_prep_nop(sqe(r));
    io_uring_prep_nop(sqe(r));
    io_uring_sqe_set_data(r.sqes[0]!, 42);
    io_uring_sqe_set_data(r.sqes[1]!, Number.MAX_SAFE_INTEGER);
    expect(io_uring_submit_and_wait(r, 2)).toBe(2);
    expect(io_uring_cq_ready(r)).toBe(2);
    const seen: number[] = [];
    const count = io_uring_for_each_cqe(r, (c) => seen.push(c.user_data, c.res));
    io_uring_cq_advance(r, count);
    expect(seen).toEqual([42, 0, Number.MAX_SAFE_INTEGER, 0]);
    expect(io_uring_peek_cqe(r)).toBeNull();
  });

  it('with SINGLE_ISSUER | DEFER_TASKRUN, completions arrive on entering the ring', () => {
    const r = io_uring_queue_init(8, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
    rings.push(r);
    const arena = io_uring_alloc_arena(r, 64);
    const { client, server } = tcpPair();
    fds.push(client, server);
    io_uring_prep_recv(sqe(r), server, arena.ref(), 64, 0);
    io_uring_submit(r);
    write(client, Buffer.from('deferred'));
    io_uring_submit_and_wait(r, 1); // nothing to submit: waits, running the deferred work
    expect(next(r).res).toBe(8);
  });

  it('get_sqe hands out sq_entries slots, then null until the submit', () => {
    const r = ring(4);
    for (let i = 0; i < 4; i++) io_uring_prep_nop(sqe(r));
    expect(io_uring_get_sqe(r)).toBeNull();
    expect(io_uring_submit(r)).toBe(4);
    expect(io_uring_get_sqe(r)).not.toBeNull();
  });

  it('accepts, receives into an arena and sends from it', () => {
    const r = ring();
    const arena = io_uring_alloc_arena(r, 4096);
    const lfd = listening();
    fds.push(lfd);
    // addrlen is value-result, as in C: room in, length out.
    new DataView(arena.bytes.buffer).setUint32(200, 128, true);
    io_uring_prep_accept(sqe(r), lfd, arena.ref(0), arena.ref(200), 0);
    io_uring_submit(r);
    const client = socket(AF_INET, SOCK_STREAM);
    fds.push(client);
    connect(client, loopback(AF_INET, portOf(lfd)));
    const acc = next(r);
    expect(acc.res).toBeGreaterThan(0);
    fds.push(acc.res);
    expect(new DataView(arena.bytes.buffer).getUint32(200, true)).toBe(16);
    expect(new DataView(arena.bytes.buffer).getUint16(0, true)).toBe(AF_INET);

    io_uring_prep_recv(sqe(r), acc.res, arena.ref(1024), 100, 0);
    io_uring_sqe_set_data(r.sqes[0]!, 7);
    io_uring_submit(r);
    write(client, Buffer.from('hello ring'));
    expect(next(r)).toEqual({ user_data: 7, res: 10, flags: expect.any(Number) });
    expect(Buffer.from(arena.bytes.subarray(1024, 1034)).toString()).toBe('hello ring');

    io_uring_prep_send(sqe(r), acc.res, arena.ref(1024), 10, 0);
    io_uring_submit_and_wait(r, 1);
    expect(next(r).res).toBe(10);
    const got = Buffer.alloc(10);
    expect(read(client, got)).toBe(10);
    expect(got.toString()).toBe('hello ring');
  });

  it('multishot accept stays armed (IORING_CQE_F_MORE) until cancelled', () => {
    const r = ring();
    const lfd = listening();
    fds.push(lfd);
    io_uring_prep_multishot_accept(sqe(r), lfd, 0, 0, 0);
    io_uring_sqe_set_data(r.sqes[0]!, 1);
    io_uring_submit(r);
    for (let i = 0; i < 3; i++) {
      const c = socket(AF_INET, SOCK_STREAM);
      fds.push(c);
      connect(c, loopback(AF_INET, portOf(lfd)));
      const cqe = next(r);
      expect(cqe.res).toBeGreaterThan(0);
      expect(cqe.flags & IORING_CQE_F_MORE).toBe(IORING_CQE_F_MORE);
      fds.push(cqe.res);
    }
    io_uring_prep_cancel64(sqe(r), 1, 0);
    io_uring_sqe_set_data(r.sqes[0]!, 2);
    io_uring_submit_and_wait(r, 2);
    const both = [next(r), next(r)].sort((a, b) => a.user_data - b.user_data);
    expect(both[0]).toMatchObject({ user_data: 1, res: -ECANCELED });
    expect(both[0]!.flags & IORING_CQE_F_MORE).toBe(0);
    expect(both[1]).toMatchObject({ user_data: 2, res: 0 });
  });

  it('multishot recv runs out of provided buffers (ENOBUFS) and recovers once they are given back', () => {
    const r = ring();
    const arena = io_uring_alloc_arena(r, 4 * 64);
    const br = io_uring_setup_buf_ring(r, 4, 3, 0, arena);
    const mask = io_uring_buf_ring_mask(4);
    for (let bid = 0; bid < 4; bid++) io_uring_buf_ring_add(br, bid * 64, 64, bid, mask, bid);
    io_uring_buf_ring_advance(br, 4);
    const { client, server } = tcpPair();
    fds.push(client, server);
    const arm = (): void => {
      const s = sqe(r);
      io_uring_prep_recv_multishot(s, server, 0, 0, 0);
      io_uring_sqe_set_flags(s, IOSQE_BUFFER_SELECT);
      io_uring_sqe_set_buf_group(s, 3);
      io_uring_sqe_set_data(s, 9);
      io_uring_submit(r);
    };
    arm();
    const bids: number[] = [];
    for (let i = 0; i < 4; i++) {
      write(client, Buffer.from(`msg${i}`));
      const c = next(r);
      expect(c.res).toBe(4);
      expect(c.flags & IORING_CQE_F_BUFFER).toBe(IORING_CQE_F_BUFFER);
      expect(c.flags & IORING_CQE_F_MORE).toBe(IORING_CQE_F_MORE);
      const bid = c.flags >>> IORING_CQE_BUFFER_SHIFT;
      expect(Buffer.from(arena.bytes.subarray(bid * 64, bid * 64 + 4)).toString()).toBe(`msg${i}`);
      bids.push(bid);
    }
    expect([...bids].sort()).toEqual([0, 1, 2, 3]);
    write(client, Buffer.from('late'));
    const out = next(r);
    expect(out.res).toBe(-ENOBUFS);
    expect(out.flags & IORING_CQE_F_MORE).toBe(0); // the multishot recv has ended
    // Recovery: hand the buffers back and re-arm; the waiting bytes arrive.
    bids.forEach((bid, i) => io_uring_buf_ring_add(br, bid * 64, 64, bid, mask, i));
    io_uring_buf_ring_advance(br, 4);
    arm();
    const again = next(r);
    expect(again.res).toBe(4);
    const bid = again.flags >>> IORING_CQE_BUFFER_SHIFT;
    expect(Buffer.from(arena.bytes.subarray(bid * 64, bid * 64 + 4)).toString()).toBe('late');
  });

  it('a peer reset mid-stream ends a pending recv with ECONNRESET', () => {
    const r = ring();
    const arena = io_uring_alloc_arena(r, 256);
    const { client, server } = tcpPair();
    fds.push(server);
    write(client, Buffer.from('part'));
    io_uring_prep_recv(sqe(r), server, arena.ref(), 256, 0);
    io_uring_submit_and_wait(r, 1);
    expect(next(r).res).toBe(4);
    io_uring_prep_recv(sqe(r), server, arena.ref(), 256, 0);
    io_uring_submit(r);
    setsockopt(client, SOL_SOCKET, SO_LINGER, { onoff: true, linger: 0 });
    close(client); // an RST, not a FIN
    expect(next(r).res).toBe(-ECONNRESET);
  });

  it('closes and shuts down through the ring', () => {
    const r = ring();
    const { client, server } = tcpPair();
    fds.push(client);
    io_uring_prep_shutdown(sqe(r), server, SHUT_WR);
    io_uring_submit_and_wait(r, 1);
    expect(next(r).res).toBe(0);
    expect(read(client, Buffer.alloc(8))).toBe(0); // EOF
    io_uring_prep_close(sqe(r), server);
    io_uring_submit_and_wait(r, 1);
    expect(next(r).res).toBe(0);
    expect(() => fcntl(server, F_GETFD)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('times out with ETIME, completes by count, and a timeout can be removed', () => {
    const r = ring();
    const arena = io_uring_alloc_arena(r, 64);
    const ts = new BigInt64Array(arena.bytes.buffer, 0, 2);
    ts[0] = 0n;
    ts[1] = 10_000_000n; // 10 ms
    io_uring_prep_timeout(sqe(r), arena.ref(0), 0, 0);
    io_uring_submit_and_wait(r, 1);
    expect(next(r).res).toBe(-ETIME);

    ts[0] = 60n; // a minute: it must end by count or removal, not time
    io_uring_prep_timeout(sqe(r), arena.ref(0), 1, 0);
    io_uring_sqe_set_data(r.sqes[0]!, 1);
    io_uring_prep_nop(sqe(r));
    io_uring_sqe_set_data(r.sqes[1]!, 2);
    io_uring_submit_and_wait(r, 2);
    expect([next(r), next(r)].map((c) => [c.user_data, c.res]).sort()).toEqual([
      [1, 0],
      [2, 0],
    ]);

    io_uring_prep_timeout(sqe(r), arena.ref(0), 0, 0);
    io_uring_sqe_set_data(r.sqes[0]!, 5);
    io_uring_submit(r);
    io_uring_prep_timeout_remove(sqe(r), 5, 0);
    io_uring_sqe_set_data(r.sqes[0]!, 6);
    io_uring_submit_and_wait(r, 2);
    expect([next(r), next(r)].map((c) => [c.user_data, c.res]).sort()).toEqual([
      [5, -ECANCELED],
      [6, 0],
    ]);
  });

  it('cancels a pending recv by its user_data', () => {
    const r = ring();
    const arena = io_uring_alloc_arena(r, 64);
    const { client, server } = tcpPair();
    fds.push(client, server);
    io_uring_prep_recv(sqe(r), server, arena.ref(), 64, 0);
    io_uring_sqe_set_data(r.sqes[0]!, 100);
    io_uring_submit(r);
    io_uring_prep_cancel64(sqe(r), 100, 0);
    io_uring_sqe_set_data(r.sqes[0]!, 101);
    io_uring_submit_and_wait(r, 2);
    expect([next(r), next(r)].map((c) => [c.user_data, c.res]).sort()).toEqual([
      [100, -ECANCELED],
      [101, 0],
    ]);
  });

  it("the caller closing ring_fd, and the number going to another file, never makes the ring touch that file", () => {
    const r = io_uring_queue_init(4);
    close(r.ring_fd);
    const efd = eventfd(0, 0); // very likely the number ring_fd had
    fds.push(efd);
    io_uring_prep_nop(sqe(r));
    io_uring_submit_and_wait(r, 1); // the ring works on its own fd
    expect(next(r).res).toBe(0);
    io_uring_queue_exit(r);
    expect(fcntl(efd, F_GETFD)).toBeGreaterThanOrEqual(0); // not closed by the ring
  });

  it('closing with operations in flight cancels them and detaches the arenas', () => {
    const r = io_uring_queue_init(8);
    const arena = io_uring_alloc_arena(r, 4096);
    const { client, server } = tcpPair();
    fds.push(client, server);
    const lfd = listening();
    fds.push(lfd);
    io_uring_prep_recv(sqe(r), server, arena.ref(), 4096, 0);
    io_uring_prep_multishot_accept(sqe(r), lfd, 0, 0, 0);
    io_uring_submit(r);
    io_uring_queue_exit(r);
    expect(arena.bytes.byteLength).toBe(0);
    expect(r.ring_fd).toBe(-1);
    io_uring_queue_exit(r); // again: a no-op
    // The socket is still the caller's, and still works.
    write(client, Buffer.from('x'));
    expect(read(server, Buffer.alloc(1))).toBe(1);
  });
});
