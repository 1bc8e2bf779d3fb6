// sendmsg and recvmsg through the ring against real loopback sockets: a UDP
// datagram to an address in msg_name, the sender's address and MSG_TRUNC
// coming back, SCM_RIGHTS over a UNIX socketpair, a msghdr rewritten by JS
// while its operation is in flight (the kernel keeps using the checked
// copy), cancelling, provided buffers (single and multishot), and every
// field the ring refuses.
import { afterEach, describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  CMSG_LEN,
  CMSG_SPACE,
  ECANCELED,
  IORING_CQE_BUFFER_SHIFT,
  IORING_CQE_F_BUFFER,
  IORING_CQE_F_MORE,
  IOSQE_ASYNC,
  IOSQE_BUFFER_SELECT,
  IPPROTO_IP,
  IP_PKTINFO,
  MSG_TRUNC,
  SCM_RIGHTS,
  SOCK_DGRAM,
  SOL_SOCKET,
  bind,
  io_uring_alloc_arena,
  io_uring_buf_ring_add,
  io_uring_buf_ring_advance,
  io_uring_iovec_set,
  io_uring_peek_cqe,
  io_uring_prep_cancel64,
  io_uring_prep_poll_remove,
  io_uring_prep_recvmsg,
  io_uring_prep_recvmsg_multishot,
  io_uring_prep_sendmsg,
  io_uring_queue_exit,
  io_uring_recvmsg_validate,
  io_uring_setup_buf_ring,
  io_uring_sqe_set_buf_group,
  io_uring_sqe_set_data,
  io_uring_sqe_set_flags,
  io_uring_submit,
  io_uring_submit_and_wait,
  IoUringMsghdr,
  pipe,
  read,
  sendto,
  setsockopt,
  socket,
  socketpair,
  write,
  type IoUring,
  type IoUringArena,
} from '../lib/index.js';
import { closeRingsAndFds, fds, ring, sqe, next } from './liburing-fixture.js';
import { loopback, portOf, uringRefused } from './helpers.js';

afterEach(closeRingsAndFds);

function udp(): number {
  const fd = socket(AF_INET, SOCK_DGRAM);
  fds.push(fd);
  bind(fd, loopback(AF_INET));
  return fd;
}

/** struct sockaddr_in for 127.0.0.1:port, written at `at`. */
function putSockaddrIn(arena: IoUringArena, at: number, port: number): void {
  const v = new DataView(arena.bytes.buffer);
  v.setUint16(at, AF_INET, true);
  v.setUint16(at + 2, port, false);
  [127, 0, 0, 1].forEach((b, i) => v.setUint8(at + 4 + i, b));
}

function text(arena: IoUringArena, at: number, len: number): string {
  return Buffer.from(arena.bytes.subarray(at, at + len)).toString();
}

describe.skipIf(uringRefused())('io_uring sendmsg and recvmsg', () => {
  it('sends a datagram to msg_name from two iovecs; recvmsg gives the sender, and MSG_TRUNC for a short buffer', () => {
    const r = ring();
    const a = io_uring_alloc_arena(r, 4096);
    const tx = udp();
    const rx = udp();
    a.bytes.set(Buffer.from('hello, '), 512);
    a.bytes.set(Buffer.from('ring'), 600);
    io_uring_iovec_set(a, 256, 0, a.ref(512), 7);
    io_uring_iovec_set(a, 256, 1, a.ref(600), 4);
    putSockaddrIn(a, 128, portOf(rx));
    const out = new IoUringMsghdr(a, 0);
    out.msg_name = a.ref(128);
    out.msg_namelen = 16;
    out.msg_iov = a.ref(256);
    out.msg_iovlen = 2;
    io_uring_prep_sendmsg(sqe(r), tx, out.ref, 0);
    io_uring_submit_and_wait(r, 1);
    expect(next(r).res).toBe(11);

    const inn = new IoUringMsghdr(a, 1024);
    inn.msg_name = a.ref(1100);
    inn.msg_namelen = 128;
    io_uring_iovec_set(a, 1280, 0, a.ref(1300), 5); // room for 5 of the 11 bytes
    inn.msg_iov = a.ref(1280);
    inn.msg_iovlen = 1;
    io_uring_prep_recvmsg(sqe(r), rx, inn.ref, 0);
    io_uring_submit_and_wait(r, 1);
    expect(next(r).res).toBe(5);
    expect(text(a, 1300, 5)).toBe('hello');
    expect(inn.msg_flags & MSG_TRUNC).toBe(MSG_TRUNC);
    expect(inn.msg_namelen).toBe(16); // the kernel's length, written back
    const name = new DataView(a.bytes.buffer, 1100, 16);
    expect(name.getUint16(0, true)).toBe(AF_INET);
    expect(name.getUint16(2, false)).toBe(portOf(tx)); // the sender's port
  });

  it('passes an fd with SCM_RIGHTS over a UNIX socketpair; msg_controllen comes back', () => {
    const r = ring();
    const a = io_uring_alloc_arena(r, 4096);
    const [s0, s1] = socketpair(AF_UNIX, SOCK_DGRAM);
    const [pr, pw] = pipe();
    fds.push(s0!, s1!, pr!, pw!);
    const v = new DataView(a.bytes.buffer);
    // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } + one int
    v.setBigUint64(200, BigInt(CMSG_LEN(4)), true);
    v.setInt32(208, SOL_SOCKET, true);
    v.setInt32(212, SCM_RIGHTS, true);
    v.setInt32(216, pw!, true);
    a.bytes.set(Buffer.from('fd'), 300);
    io_uring_iovec_set(a, 100, 0, a.ref(300), 2);
    const out = new IoUringMsghdr(a, 0);
    out.msg_iov = a.ref(100);
    out.msg_iovlen = 1;
    out.msg_control = a.ref(200);
    out.msg_controllen = CMSG_SPACE(4);
    io_uring_prep_sendmsg(sqe(r), s0!, out.ref, 0);
    io_uring_submit_and_wait(r, 1);
    expect(next(r).res).toBe(2);

    const inn = new IoUringMsghdr(a, 1024);
    io_uring_iovec_set(a, 1100, 0, a.ref(1200), 64);
    inn.msg_iov = a.ref(1100);
    inn.msg_iovlen = 1;
    inn.msg_control = a.ref(1400);
    inn.msg_controllen = 64;
    io_uring_prep_recvmsg(sqe(r), s1!, inn.ref, 0);
    io_uring_submit_and_wait(r, 1);
    expect(next(r).res).toBe(2);
    expect(inn.msg_controllen).toBe(CMSG_SPACE(4));
    expect(v.getInt32(1408, true)).toBe(SOL_SOCKET);
    expect(v.getInt32(1412, true)).toBe(SCM_RIGHTS);
    const got = v.getInt32(1416, true);
    fds.push(got);
    expect(got).not.toBe(pw);
    write(got, Buffer.from('through the passed fd'));
    const b = Buffer.alloc(64);
    expect(b.toString('utf8', 0, read(pr!, b))).toBe('through the passed fd');
  });

  it('IP_PKTINFO arrives as a control message naming the datagram’s destination', () => {
    const r = ring();
    const a = io_uring_alloc_arena(r, 1024);
    const tx = udp();
    const rx = udp();
    setsockopt(rx, IPPROTO_IP, IP_PKTINFO, true);
    sendto(tx, Buffer.from('pk'), 2, 0, loopback(AF_INET, portOf(rx)));
    const h = new IoUringMsghdr(a, 0);
    io_uring_iovec_set(a, 64, 0, a.ref(128), 16);
    h.msg_iov = a.ref(64);
    h.msg_iovlen = 1;
    h.msg_control = a.ref(256);
    h.msg_controllen = 128;
    io_uring_prep_recvmsg(sqe(r), rx, h.ref, 0);
    io_uring_submit_and_wait(r, 1);
    expect(next(r).res).toBe(2);
    const v = new DataView(a.bytes.buffer);
    expect(h.msg_controllen).toBe(CMSG_SPACE(12)); // struct in_pktinfo
    expect([v.getInt32(264, true), v.getInt32(268, true)]).toEqual([IPPROTO_IP, IP_PKTINFO]);
    expect([...a.bytes.subarray(256 + 16 + 8, 256 + 16 + 12)]).toEqual([127, 0, 0, 1]); // ipi_addr
  });

  it('JS rewriting a msghdr in flight changes nothing: the kernel has the ring’s checked copy', () => {
    const r = ring();
    const a = io_uring_alloc_arena(r, 4096);
    const tx = udp();
    const rx = udp();
    const inn = new IoUringMsghdr(a, 0);
    io_uring_iovec_set(a, 64, 0, a.ref(512), 100);
    inn.msg_iov = a.ref(64);
    inn.msg_iovlen = 1;
    inn.msg_name = a.ref(256);
    inn.msg_namelen = 16;
    const s = sqe(r);
    io_uring_prep_recvmsg(s, rx, inn.ref, 0);
    io_uring_sqe_set_flags(s, IOSQE_ASYNC); // issued later, from io-wq
    io_uring_sqe_set_data(s, 5);
    io_uring_submit(r);
    // A hostile rewrite: iovecs, name and control pointing anywhere.
    new Uint8Array(a.bytes.buffer, 0, 56).fill(0xff);
    io_uring_iovec_set(a, 64, 0, 0x7fff_0000, 1 << 30);
    sendto(tx, Buffer.from('still checked'), 13, 0, loopback(AF_INET, portOf(rx)));
    const c = next(r);
    expect(c).toMatchObject({ user_data: 5, res: 13 });
    expect(text(a, 512, 13)).toBe('still checked');
    expect(inn.msg_namelen).toBe(16); // the three results, copied over the rewrite
    expect(inn.msg_flags).toBe(0);
    expect(new DataView(a.bytes.buffer).getUint16(258, false)).toBe(portOf(tx));
  });

  it('a pending recvmsg is cancelled by its user_data, which its CQE carries back', () => {
    const r = ring();
    const a = io_uring_alloc_arena(r, 1024);
    const rx = udp();
    const inn = new IoUringMsghdr(a, 0);
    io_uring_iovec_set(a, 64, 0, a.ref(512), 100);
    inn.msg_iov = a.ref(64);
    inn.msg_iovlen = 1;
    io_uring_prep_recvmsg(sqe(r), rx, inn.ref, 0);
    io_uring_sqe_set_data(r.sqes[0]!, 77);
    io_uring_submit(r);
    io_uring_prep_cancel64(sqe(r), 77, 0);
    io_uring_sqe_set_data(r.sqes[0]!, 78);
    io_uring_submit_and_wait(r, 2);
    expect([next(r), next(r)].map((c) => [c.user_data, c.res]).sort()).toEqual([
      [77, -ECANCELED],
      [78, 0],
    ]);
    // Its slot is free again: the same user_data may be used once more.
    io_uring_prep_recvmsg(sqe(r), rx, inn.ref, 0);
    io_uring_sqe_set_data(r.sqes[0]!, 77);
    expect(io_uring_submit(r)).toBe(1);
  });

  it('recvmsg takes a provided buffer (IOSQE_BUFFER_SELECT), once and multishot', () => {
    const r = ring();
    const a = io_uring_alloc_arena(r, 4096);
    const br = io_uring_setup_buf_ring(r, 4, 7, 0, a);
    for (let bid = 0; bid < 4; bid++) io_uring_buf_ring_add(br, 2048 + bid * 256, 256, bid, 3, bid);
    io_uring_buf_ring_advance(br, 4);
    const tx = udp();
    const rx = udp();
    const to = loopback(AF_INET, portOf(rx));
    const once = new IoUringMsghdr(a, 0);
    io_uring_iovec_set(a, 64, 0, 0, 256); // iov_base 0: the kernel picks the buffer
    once.msg_iov = a.ref(64);
    once.msg_iovlen = 1;
    const s = sqe(r);
    io_uring_prep_recvmsg(s, rx, once.ref, 0);
    io_uring_sqe_set_flags(s, IOSQE_BUFFER_SELECT);
    io_uring_sqe_set_buf_group(s, 7);
    io_uring_submit(r);
    sendto(tx, Buffer.from('picked'), 6, 0, to);
    const c = next(r);
    expect(c.res).toBe(6);
    expect(c.flags & IORING_CQE_F_BUFFER).toBe(IORING_CQE_F_BUFFER);
    const bid = c.flags >>> IORING_CQE_BUFFER_SHIFT;
    expect(text(a, 2048 + bid * 256, 6)).toBe('picked');

    // Multishot: each buffer holds io_uring_recvmsg_out, the name, the payload.
    const multi = new IoUringMsghdr(a, 128);
    multi.msg_namelen = 16;
    const m = sqe(r);
    io_uring_prep_recvmsg_multishot(m, rx, multi.ref, 0);
    io_uring_sqe_set_flags(m, IOSQE_BUFFER_SELECT);
    io_uring_sqe_set_buf_group(m, 7);
    io_uring_sqe_set_data(m, 9);
    io_uring_submit(r);
    for (const word of ['one', 'three']) {
      sendto(tx, Buffer.from(word), word.length, 0, to);
      const d = next(r);
      expect(d.flags & IORING_CQE_F_MORE).toBe(IORING_CQE_F_MORE);
      const at = 2048 + (d.flags >>> IORING_CQE_BUFFER_SHIFT) * 256;
      const o = io_uring_recvmsg_validate(a, at, d.res, multi)!;
      expect(o).not.toBeNull();
      expect(o.payloadlen).toBe(word.length);
      expect(text(a, o.payload, o.payload_length)).toBe(word);
      expect(o.namelen).toBe(16);
      expect(new DataView(a.bytes.buffer).getUint16(o.name + 2, false)).toBe(portOf(tx));
    }
    io_uring_prep_cancel64(sqe(r), 9, 0);
    io_uring_submit_and_wait(r, 2);
    const ends = [next(r), next(r)];
    expect(ends.find((e) => e.user_data === 9)!.res).toBe(-ECANCELED);
  });
});

describe.skipIf(uringRefused())('what the ring refuses in a msghdr', () => {
  function setup(): { r: IoUring; a: IoUringArena; h: IoUringMsghdr; fd: number } {
    const r = ring();
    const a = io_uring_alloc_arena(r, 4096);
    const h = new IoUringMsghdr(a, 0);
    io_uring_iovec_set(a, 64, 0, a.ref(512), 16);
    h.msg_iov = a.ref(64);
    h.msg_iovlen = 1;
    return { r, a, h, fd: udp() };
  }

  it('each bad field is a RangeError naming it, and nothing of the batch is submitted', () => {
    const { r, a, h, fd } = setup();
    const refuse = (re: RegExp): void => {
      io_uring_prep_recvmsg(sqe(r), fd, h.ref, 0);
      expect(() => io_uring_submit(r)).toThrow(re);
    };
    io_uring_iovec_set(a, 64, 1, a.ref(4000), 200);
    h.msg_iovlen = 2;
    refuse(/sqe\[0\] \(opcode 10\): msg_iov\[1\]\.iov_base: \[4000, 4200\) passes the end of arena 0/);
    h.msg_iovlen = 1025;
    refuse(/msg_iovlen 1025 is more than 1024 \(UIO_MAXIOV\)/);
    h.msg_iovlen = 300; // 4800 bytes of iovecs from offset 64
    refuse(/msg_iov: \[64, 4864\) passes the end of arena 0/);
    h.msg_iovlen = 1;
    h.msg_name = a.ref(4090);
    h.msg_namelen = 16;
    refuse(/msg_name: \[4090, 4106\) passes the end of arena 0/);
    h.msg_name = 0;
    h.msg_control = a.ref(0) + 2 ** 32; // arena 1: there is none
    h.msg_controllen = 8;
    refuse(/msg_control names arena 1; the ring has 1/);
    h.msg_control = 0;
    // The msghdr itself straddling the arena's end.
    io_uring_prep_sendmsg(sqe(r), fd, a.ref(4096 - 40), 0);
    expect(() => io_uring_submit(r)).toThrow(/addr \(the msghdr\): \[4056, 4112\) passes the end of arena 0/);
    io_uring_prep_sendmsg(sqe(r), fd, 0, 0);
    expect(() => io_uring_submit(r)).toThrow(/addr \(the msghdr\) is null/);
    expect(io_uring_peek_cqe(r)).toBeNull();
  });

  it('two in flight with one user_data, bit 63 of user_data, and flags a msg operation does not take', () => {
    const { r, h, fd } = setup();
    io_uring_prep_recvmsg(sqe(r), fd, h.ref, 0);
    io_uring_sqe_set_data(r.sqes[0]!, 3);
    io_uring_prep_recvmsg(sqe(r), fd, h.ref, 0);
    io_uring_sqe_set_data(r.sqes[1]!, 3);
    expect(() => io_uring_submit(r)).toThrow(/sqe\[1\] \(opcode 10\): user_data 3 is that of a sendmsg or recvmsg still in flight/);
    // The refused batch left no slot behind: user_data 3 is free.
    io_uring_prep_recvmsg(sqe(r), fd, h.ref, 0);
    io_uring_sqe_set_data(r.sqes[0]!, 3);
    expect(io_uring_submit(r)).toBe(1);
    const hi = sqe(r);
    io_uring_prep_sendmsg(hi, fd, h.ref, 0);
    hi.u32[(hi.base >>> 2) + 9] = 0x8000_0000;
    expect(() => io_uring_submit(r)).toThrow(/user_data has bit 63 set/);
    const upd = sqe(r); // a poll update giving a poll such a user_data
    io_uring_prep_poll_remove(upd, 1);
    upd.u32[(upd.base >>> 2) + 3] = 0x8000_0000;
    expect(() => io_uring_submit(r)).toThrow(/off \(a new user_data\) has bit 63 set/);
    const sel = sqe(r);
    io_uring_prep_sendmsg(sel, fd, h.ref, 0);
    io_uring_sqe_set_flags(sel, IOSQE_BUFFER_SELECT);
    expect(() => io_uring_submit(r)).toThrow(/sendmsg takes no provided buffer/);
    const two = sqe(r);
    h.msg_iovlen = 2;
    io_uring_prep_recvmsg(two, fd, h.ref, 0);
    io_uring_sqe_set_flags(two, IOSQE_BUFFER_SELECT);
    expect(() => io_uring_submit(r)).toThrow(/msg_iovlen 2: with IOSQE_BUFFER_SELECT it is 0 or 1/);
    h.msg_iovlen = 1;
    const ms = sqe(r);
    io_uring_prep_recvmsg_multishot(ms, fd, h.ref, 0); // multishot needs buffer select
    expect(() => io_uring_submit(r)).toThrow(/ioprio 0x2 has bits this ring refuses/);
  });

  it('io_uring_iovec_set writes struct iovec in place, refuses one past the arena, and a TypeError once the ring is closed', () => {
    for (const writtenBefore of [true, false]) {
      const r = ring();
      const a = io_uring_alloc_arena(r, 4096);
      if (writtenBefore) {
        io_uring_iovec_set(a, 64, 2, a.ref(512), 100);
        const v = new DataView(a.bytes.buffer, a.bytes.byteOffset);
        expect(v.getBigUint64(64 + 2 * 16, true)).toBe(BigInt(a.ref(512)));
        expect(v.getBigUint64(64 + 2 * 16 + 8, true)).toBe(100n);
        expect(() => io_uring_iovec_set(a, 4096 - 16, 1, a.ref(0), 1)).toThrow(RangeError);
      }
      io_uring_queue_exit(r);
      expect(() => io_uring_iovec_set(a, 64, 0, a.ref(512), 100)).toThrow(TypeError);
    }
  });

  it('closing the ring with a recvmsg in flight ends it and frees its slot', () => {
    const { r, h, fd } = setup();
    io_uring_prep_recvmsg(sqe(r), fd, h.ref, 0);
    io_uring_submit(r);
    io_uring_queue_exit(r);
    expect(h.arena.bytes.byteLength).toBe(0);
  });
});
