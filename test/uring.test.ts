// io_uring's three system calls, one call each, and the register helpers
// over them: params filled in as C's value-result struct, the probe, fixed
// files (sparse and updated), an eventfd, and the arguments refused.
import { afterEach, describe, expect, it } from 'vitest';
import {
  EFD_NONBLOCK,
  IORING_ENTER_EXT_ARG,
  IORING_ENTER_GETEVENTS,
  IORING_FEAT_NODROP,
  IORING_FEAT_SINGLE_MMAP,
  IORING_OP_NOP,
  IORING_OP_SEND_ZC,
  IORING_REGISTER_FILES,
  IORING_REGISTER_FILES2,
  IORING_REGISTER_FILES_SKIP,
  IORING_REGISTER_FILES_UPDATE,
  IORING_REGISTER_PBUF_RING,
  IORING_REGISTER_PROBE,
  IORING_RSRC_REGISTER_SPARSE,
  IORING_SETUP_CQSIZE,
  IOSQE_FIXED_FILE,
  close,
  eventfd,
  io_uring_alloc_arena,
  io_uring_cq_advance,
  io_uring_cq_ready,
  io_uring_cqe_seen,
  io_uring_enter,
  io_uring_get_probe_ring,
  io_uring_get_sqe,
  io_uring_opcode_supported,
  io_uring_peek_cqe,
  io_uring_prep_nop,
  io_uring_prep_send,
  io_uring_queue_exit,
  io_uring_queue_init,
  io_uring_register,
  io_uring_register_eventfd,
  io_uring_register_files_sparse,
  io_uring_register_files_update,
  io_uring_setup,
  io_uring_sqe_set_flags,
  io_uring_submit_and_wait,
  io_uring_unregister_eventfd,
  io_uring_unregister_files,
  io_uring_wait_cqe,
  read,
  type IoUringParams,
  type IoUringProbe,
} from '../lib/index.js';
import { closeAll, tcpPair, uringRefused } from './helpers.js';

let fds: number[] = [];
afterEach(() => {
  closeAll(...fds);
  fds = [];
});

describe.skipIf(uringRefused())('io_uring_setup(2)', () => {
  it('fills in params as the kernel reports them', () => {
    const params: IoUringParams = { flags: IORING_SETUP_CQSIZE, cq_entries: 64 };
    const fd = io_uring_setup(8, params);
    fds.push(fd);
    expect(params.sq_entries).toBe(8);
    expect(params.cq_entries).toBe(64);
    expect(params.features! & IORING_FEAT_SINGLE_MMAP).toBe(IORING_FEAT_SINGLE_MMAP);
    expect(params.features! & IORING_FEAT_NODROP).toBe(IORING_FEAT_NODROP);
    expect(params.sq_off).toMatchObject({ head: expect.any(Number), array: expect.any(Number) });
    expect(params.cq_off!.cqes).toBeGreaterThan(params.cq_off!.tail);
  });

  it("the kernel judges entries: 0 is the kernel's EINVAL", () => {
    expect(() => io_uring_setup(0, {})).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'io_uring_setup' }));
  });

  it('params fields are checked as integers', () => {
    expect(() => io_uring_setup(8, { flags: 1.5 })).toThrow(TypeError);
    expect(() => io_uring_setup(8, { cq_entries: -1 })).toThrow(RangeError);
  });
});

describe.skipIf(uringRefused())('io_uring_enter(2)', () => {
  it('enters a ring with nothing to do', () => {
    const fd = io_uring_setup(4, {});
    fds.push(fd);
    expect(io_uring_enter(fd, 0, 0, 0)).toBe(0);
  });

  it('IORING_ENTER_EXT_ARG without its argument is the kernel EINVAL', () => {
    const fd = io_uring_setup(4, {});
    fds.push(fd);
    expect(() => io_uring_enter(fd, 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG)).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
  });

  it('a bad fd is the kernel EBADF', () => {
    expect(() => io_uring_enter(1_000_000, 0, 0, 0)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });
});

describe.skipIf(uringRefused())('io_uring_register(2)', () => {
  it('IORING_REGISTER_PROBE fills in which opcodes the kernel supports', () => {
    const fd = io_uring_setup(4, {});
    fds.push(fd);
    const probe: IoUringProbe = {};
    expect(io_uring_register(fd, IORING_REGISTER_PROBE, probe)).toBe(0);
    expect(probe.last_op).toBeGreaterThanOrEqual(IORING_OP_SEND_ZC);
    const r = io_uring_queue_init(4);
    const p = io_uring_get_probe_ring(r);
    io_uring_queue_exit(r);
    expect(io_uring_opcode_supported(p, IORING_OP_NOP)).toBe(true);
    expect(io_uring_opcode_supported(p, 255)).toBe(false);
  });

  it('fixed files: sparse, updated, and used by an SQE with IOSQE_FIXED_FILE', () => {
    const r = io_uring_queue_init(4);
    try {
      const arena = io_uring_alloc_arena(r, 16);
      arena.bytes.set(Buffer.from('fixed'));
      const { client, server } = tcpPair();
      fds.push(client, server);
      expect(io_uring_register_files_sparse(r, 4)).toBe(0);
      expect(io_uring_register_files_update(r, 2, [server])).toBe(1);
      const sqe = io_uring_get_sqe(r)!;
      io_uring_prep_send(sqe, 2, arena.ref(), 5, 0); // fd 2: fixed-file slot 2
      io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
      io_uring_submit_and_wait(r, 1);
      expect(io_uring_wait_cqe(r).res).toBe(5);
      const got = Buffer.alloc(5);
      read(client, got);
      expect(got.toString()).toBe('fixed');
      expect(io_uring_unregister_files(r)).toBe(0);
    } finally {
      io_uring_queue_exit(r);
    }
  });

  it('IORING_REGISTER_FILES takes an fd array, -1 for an empty slot; FILES_UPDATE skips with FILES_SKIP', () => {
    const fd = io_uring_setup(4, {});
    fds.push(fd);
    const { client, server } = tcpPair();
    fds.push(client, server);
    expect(io_uring_register(fd, IORING_REGISTER_FILES, [client, -1])).toBe(0);
    expect(io_uring_register(fd, IORING_REGISTER_FILES_UPDATE, { offset: 0, fds: [IORING_REGISTER_FILES_SKIP, server] })).toBe(2);
    expect(() => io_uring_register(fd, IORING_REGISTER_FILES, [client])).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    expect(() => io_uring_register(fd, IORING_REGISTER_FILES, [client], 2)).toThrow(RangeError);
    const fd2 = io_uring_setup(4, {});
    fds.push(fd2);
    expect(io_uring_register(fd2, IORING_REGISTER_FILES2, { nr: 8, flags: IORING_RSRC_REGISTER_SPARSE })).toBe(0);
  });

  it('an eventfd is signalled for each completion', () => {
    const r = io_uring_queue_init(4);
    const efd = eventfd(0, EFD_NONBLOCK);
    fds.push(efd);
    try {
      expect(io_uring_register_eventfd(r, efd)).toBe(0);
      io_uring_prep_nop(io_uring_get_sqe(r)!);
      io_uring_submit_and_wait(r, 1);
      io_uring_cqe_seen(r, io_uring_wait_cqe(r));
      const counter = new BigUint64Array(1);
      expect(read(efd, counter)).toBe(8);
      expect(counter[0]).toBe(1n);
      expect(io_uring_unregister_eventfd(r)).toBe(0);
    } finally {
      io_uring_queue_exit(r);
    }
  });

  it('an opcode whose argument is an address takes null, and the kernel gets NULL', () => {
    const fd = io_uring_setup(4, {});
    fds.push(fd);
    expect(() => io_uring_register(fd, IORING_REGISTER_PBUF_RING, { ring_addr: 4096 } as never)).toThrow(TypeError);
    expect(() => io_uring_register(fd, IORING_REGISTER_PBUF_RING, null, 1)).toThrow(
      expect.objectContaining({ syscall: 'io_uring_register', code: expect.stringMatching(/^E(FAULT|INVAL)$/) }),
    );
  });
});

it.skipIf(uringRefused())('the fds of rings closed here are gone', () => {
  const fd = io_uring_setup(4, {});
  close(fd);
  expect(() => io_uring_enter(fd, 0, 0, 0)).toThrow(expect.objectContaining({ code: 'EBADF' }));
});

describe.skipIf(uringRefused())('bad input', () => {
  it('a non-array for IORING_REGISTER_FILES, a non-object for FILES_UPDATE: TypeErrors naming arg', () => {
    const fd = io_uring_setup(4, {});
    fds.push(fd);
    expect(() => io_uring_register(fd, IORING_REGISTER_FILES, 'x' as never)).toThrow(/'arg' to be an array of fds/);
    expect(() => io_uring_register(fd, IORING_REGISTER_FILES, [1.5])).toThrow(/arg\[0\]/);
    expect(() => io_uring_register(fd, IORING_REGISTER_FILES_UPDATE, 3)).toThrow(TypeError);
  });

  it('a closed ring: get_sqe is null and submit is EBADF', () => {
    const r = io_uring_queue_init(4);
    io_uring_queue_exit(r);
    expect(io_uring_get_sqe(r)).toBeNull();
    expect(io_uring_peek_cqe(r)).toBeNull();
    expect(io_uring_cq_ready(r)).toBe(0);
    io_uring_cq_advance(r, 1); // nothing to hand back
    expect(() => io_uring_submit_and_wait(r, 1)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('io_uring_enter: counts are checked as unsigned integers', () => {
    expect(() => io_uring_enter(0, -1, 0, 0)).toThrow(RangeError);
    expect(() => io_uring_enter(0, 0, 0.5, 0)).toThrow(TypeError);
  });
});
