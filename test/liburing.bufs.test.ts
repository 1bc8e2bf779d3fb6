// Registered buffers (read_fixed, write_fixed, send_zc_fixed and what the
// ring refuses of them), a recv bundle (IORING_RECVSEND_BUNDLE, Linux 6.10)
// whose one CQE spans several provided buffers, and incremental buffer
// consumption (IOU_PBUF_RING_INC, Linux 6.12) with IORING_CQE_F_BUF_MORE,
// against real loopback sockets.
import { afterEach, describe, expect, it } from 'vitest';
import {
  IORING_CQE_BUFFER_SHIFT,
  IORING_CQE_F_BUF_MORE,
  IORING_CQE_F_MORE,
  IORING_CQE_F_NOTIF,
  IORING_RECVSEND_BUNDLE,
  IOSQE_BUFFER_SELECT,
  IOU_PBUF_RING_INC,
  SocketError,
  io_uring_alloc_arena,
  io_uring_buf_ring_add,
  io_uring_buf_ring_advance,
  io_uring_buf_ring_cqe,
  io_uring_prep_read_fixed,
  io_uring_prep_recv,
  io_uring_prep_send,
  io_uring_prep_send_zc_fixed,
  io_uring_prep_write_fixed,
  io_uring_register_buffers,
  io_uring_setup_buf_ring,
  io_uring_sqe_set_buf_group,
  io_uring_sqe_set_flags,
  io_uring_submit,
  io_uring_submit_and_wait,
  io_uring_unregister_buffers,
  read,
  write,
  type IoUring,
  type IoUringArena,
  type IoUringBufRing,
} from '../lib/index.js';
import { closeRingsAndFds, fds, ring, sqe, next } from './liburing-fixture.js';
import { tcpPair, uringRefused } from './helpers.js';

afterEach(closeRingsAndFds);

function pair(): { client: number; server: number } {
  const p = tcpPair();
  fds.push(p.client, p.server);
  return p;
}

function text(arena: IoUringArena, at: number, len: number): string {
  return Buffer.from(arena.bytes.subarray(at, at + len)).toString();
}

function readAll(fd: number, len: number): string {
  const b = Buffer.alloc(len);
  let got = 0;
  while (got < len) got += read(fd, b.subarray(got));
  return b.toString();
}

describe.skipIf(uringRefused())('io_uring registered buffers', () => {
  it('write_fixed, read_fixed and send_zc_fixed move bytes through registered arena memory', () => {
    const r = ring();
    const a = io_uring_alloc_arena(r, 16384);
    expect(io_uring_register_buffers(r, [
      { iov_base: a.ref(0), iov_len: 4096 },
      { iov_base: a.ref(8192), iov_len: 4096 },
    ])).toBe(0);
    const { client, server } = pair();
    a.bytes.set(Buffer.from('fixed write'), 8200);
    io_uring_prep_write_fixed(sqe(r), client, a.ref(8200), 11, -1, 1);
    io_uring_submit_and_wait(r, 1);
    expect(next(r).res).toBe(11);
    expect(readAll(server, 11)).toBe('fixed write');

    write(server, Buffer.from('fixed read'));
    io_uring_prep_read_fixed(sqe(r), client, a.ref(100), 64, -1, 0);
    io_uring_submit_and_wait(r, 1);
    expect(next(r).res).toBe(10);
    expect(text(a, 100, 10)).toBe('fixed read');

    a.bytes.set(Buffer.from('zero copy, fixed'), 9000);
    io_uring_prep_send_zc_fixed(sqe(r), client, a.ref(9000), 16, 0, 0, 1);
    io_uring_submit_and_wait(r, 2);
    const result = next(r);
    const notif = next(r);
    expect(result.res).toBe(16);
    expect(result.flags & IORING_CQE_F_MORE).toBe(IORING_CQE_F_MORE);
    expect(notif.flags & IORING_CQE_F_NOTIF).toBe(IORING_CQE_F_NOTIF);
    expect(readAll(server, 16)).toBe('zero copy, fixed');
  });

  it('refuses a buf_index with no buffer, a range outside its buffer, and buffers outside an arena', () => {
    const r = ring();
    const a = io_uring_alloc_arena(r, 8192);
    const { client } = pair();
    io_uring_prep_read_fixed(sqe(r), client, a.ref(0), 16, -1, 0);
    expect(() => io_uring_submit(r)).toThrow(/sqe\[0\] \(opcode 4\): buf_index 0 names no registered buffer \(the ring has 0\)/);
    expect(() => io_uring_register_buffers(r, [{ iov_base: a.ref(8000), iov_len: 400 }])).toThrow(
      /iovecs\[0\]: iov_base and iov_len must lie inside an arena/,
    );
    expect(() => io_uring_register_buffers(r, [{ iov_base: 12345, iov_len: 1 }])).toThrow(RangeError);
    io_uring_register_buffers(r, [{ iov_base: a.ref(0), iov_len: 4096 }]);
    expect(() => io_uring_register_buffers(r, [{ iov_base: a.ref(0), iov_len: 16 }])).toThrow(
      expect.objectContaining({ code: 'EBUSY' }),
    );
    io_uring_prep_write_fixed(sqe(r), client, a.ref(4090), 20, -1, 0);
    expect(() => io_uring_submit(r)).toThrow(
      /addr: \[4090, 4110\) of arena 0 is not inside registered buffer 0 \(\[0, 4096\) of arena 0\)/,
    );
    io_uring_prep_write_fixed(sqe(r), client, a.ref(0), 16, -1, 1);
    expect(() => io_uring_submit(r)).toThrow(/buf_index 1 names no registered buffer \(the ring has 1\)/);
    const zc = sqe(r);
    io_uring_prep_send_zc_fixed(zc, client, a.ref(5000), 16, 0, 0, 0);
    expect(() => io_uring_submit(r)).toThrow(/not inside registered buffer 0/);
    expect(io_uring_unregister_buffers(r)).toBe(0);
    io_uring_prep_write_fixed(sqe(r), client, a.ref(0), 16, -1, 0);
    expect(() => io_uring_submit(r)).toThrow(/names no registered buffer \(the ring has 0\)/);
    expect(() => io_uring_unregister_buffers(r)).toThrow(SocketError);
  });
});

function bufRing(r: IoUring, a: IoUringArena, n: number, size: number, flags = 0): IoUringBufRing {
  const br = io_uring_setup_buf_ring(r, n, 1, flags, a);
  for (let bid = 0; bid < n; bid++) io_uring_buf_ring_add(br, bid * size, size, bid, n - 1, bid);
  io_uring_buf_ring_advance(br, n);
  return br;
}

function recvSelect(r: IoUring, fd: number, bundle: boolean): void {
  const s = sqe(r);
  io_uring_prep_recv(s, fd, 0, 0, 0);
  io_uring_sqe_set_flags(s, IOSQE_BUFFER_SELECT);
  io_uring_sqe_set_buf_group(s, 1);
  if (bundle) s.ioprio |= IORING_RECVSEND_BUNDLE;
  io_uring_submit_and_wait(r, 1);
}

describe.skipIf(uringRefused())('io_uring bundles and incremental buffers', () => {
  it('a recv bundle fills several provided buffers and reports them in one CQE', () => {
    const r = ring();
    const a = io_uring_alloc_arena(r, 8 * 64);
    const br = bufRing(r, a, 8, 64);
    const { client, server } = pair();
    const sent = Buffer.alloc(200, 0).map((_, i) => 65 + (i % 26));
    expect(write(client, sent)).toBe(200);
    // However many CQEs the kernel makes of it, the first spans several
    // buffers: more bytes than one 64-byte buffer holds, in consecutive ones.
    const chunks: Buffer[] = [];
    const sizes: number[] = [];
    let bid = 0;
    while (sizes.reduce((x, y) => x + y, 0) < 200) {
      recvSelect(r, server, true);
      const c = next(r);
      expect(c.flags >>> IORING_CQE_BUFFER_SHIFT).toBe(bid);
      const pieces = io_uring_buf_ring_cqe(br, c);
      expect(pieces.reduce((x, p) => x + p.len, 0)).toBe(c.res);
      for (const p of pieces) {
        expect(p.bid).toBe(bid++);
        chunks.push(Buffer.from(a.bytes.subarray(p.offset, p.offset + p.len)));
      }
      sizes.push(c.res);
    }
    console.log(`bundle: 200 bytes in ${sizes.length} CQE(s) of ${sizes.join(', ')} bytes (64-byte buffers)`);
    expect(sizes[0]).toBeGreaterThan(64);
    expect(Buffer.concat(chunks).equals(sent)).toBe(true);
    // Without the bundle flag, one CQE is one buffer.
    write(client, sent);
    recvSelect(r, server, false);
    const one = next(r);
    expect(one.res).toBe(64);
    expect(io_uring_buf_ring_cqe(br, one)).toEqual([{ bid, offset: bid * 64, len: 64 }]);
  });

  it('a send bundle sends several provided buffers in one operation', () => {
    const r = ring();
    const a = io_uring_alloc_arena(r, 4 * 16);
    const br = bufRing(r, a, 4, 16);
    'abcd'.split('').forEach((ch, i) => a.bytes.fill(ch.charCodeAt(0), i * 16, i * 16 + 16));
    const { client, server } = pair();
    const s = sqe(r);
    io_uring_prep_send(s, client, 0, 0, 0);
    io_uring_sqe_set_flags(s, IOSQE_BUFFER_SELECT);
    io_uring_sqe_set_buf_group(s, 1);
    s.ioprio |= IORING_RECVSEND_BUNDLE;
    io_uring_submit_and_wait(r, 1);
    const c = next(r);
    expect(c.res).toBe(64); // all four 16-byte buffers, one CQE
    expect(io_uring_buf_ring_cqe(br, c).map((p) => p.bid)).toEqual([0, 1, 2, 3]);
    expect(readAll(server, 64)).toBe('a'.repeat(16) + 'b'.repeat(16) + 'c'.repeat(16) + 'd'.repeat(16));
  });

  it('IOU_PBUF_RING_INC: one buffer takes several receives, each CQE with IORING_CQE_F_BUF_MORE until it is full', () => {
    const r = ring();
    const a = io_uring_alloc_arena(r, 2 * 256);
    const br = bufRing(r, a, 2, 256, IOU_PBUF_RING_INC);
    const { client, server } = pair();
    const step = (data: string): { bid: number; offset: number; len: number; more: boolean } => {
      write(client, Buffer.from(data));
      recvSelect(r, server, false);
      const c = next(r);
      expect(c.res).toBe(data.length);
      const [p, ...rest] = io_uring_buf_ring_cqe(br, c);
      expect(rest).toEqual([]);
      expect(text(a, p!.offset, p!.len)).toBe(data);
      return { ...p!, more: (c.flags & IORING_CQE_F_BUF_MORE) !== 0 };
    };
    expect(step('abc')).toEqual({ bid: 0, offset: 0, len: 3, more: true });
    expect(step('defgh')).toEqual({ bid: 0, offset: 3, len: 5, more: true });
    expect(step('x'.repeat(248))).toEqual({ bid: 0, offset: 8, len: 248, more: false }); // full: handed over
    expect(step('next')).toEqual({ bid: 1, offset: 256, len: 4, more: true });
  });

  it('a bundle without buffer select, and buffer-ring flags other than IOU_PBUF_RING_INC, are refused', () => {
    const r = ring();
    const a = io_uring_alloc_arena(r, 64);
    const { server } = pair();
    const s = sqe(r);
    io_uring_prep_recv(s, server, a.ref(0), 64, 0);
    s.ioprio |= IORING_RECVSEND_BUNDLE;
    expect(() => io_uring_submit(r)).toThrow(/ioprio 0x10 has bits this ring refuses/);
    expect(() => io_uring_setup_buf_ring(r, 2, 1, 1, a)).toThrow(RangeError); // IOU_PBUF_RING_MMAP
  });
});
