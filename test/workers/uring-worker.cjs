// An io_uring ring (through the raw addon) inside a worker thread, left with
// operations in flight: a recv on the parent's socket into an arena, a
// recvmsg on it (whose translated msghdr the ring owns), and a multishot
// accept, with part of the arena registered as a fixed buffer. The worker then exits (or is terminated) without
// closing the ring; its environment's cleanup hook must cancel both, close
// the ring fd and unmap the memory, without a crash or a sanitizer report.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const native = require('./addon.cjs');

const { IORING_OP_RECV, IORING_OP_RECVMSG, IORING_OP_ACCEPT, IORING_ACCEPT_MULTISHOT } = native.constants;
const { sock, lfd, how } = workerData;
const params = {};
const ring = native.uringOpen(8, params);
const [, staging] = native.uringViews(ring);
const arena = native.uringArena(ring, 4096);
const sqe = new DataView(staging);
// SQE 0: recv(sock, arena 0 offset 0, 4096); SQE 1: multishot accept(lfd).
sqe.setUint8(0, IORING_OP_RECV);
sqe.setInt32(4, sock, true);
sqe.setUint32(16, 0, true);
sqe.setUint32(20, 1, true); // arena 0 (index + 1 in the high word)
sqe.setUint32(24, 4096, true);
sqe.setUint8(64, IORING_OP_ACCEPT);
sqe.setUint16(66, IORING_ACCEPT_MULTISHOT, true);
sqe.setInt32(68, lfd, true);
// SQE 2: recvmsg(sock) with the msghdr at arena offset 1024: one iovec (at
// 1100) of 1024 bytes at 2048.
const mem = new DataView(arena);
mem.setUint32(1024 + 16, 1100, true); // msg_iov: arena 0, offset 1100
mem.setUint32(1024 + 20, 1, true);
mem.setUint32(1024 + 24, 1, true); // msg_iovlen
mem.setUint32(1100, 2048, true); // iov_base: arena 0, offset 2048
mem.setUint32(1104, 1, true);
mem.setUint32(1108, 1024, true); // iov_len
sqe.setUint8(128, IORING_OP_RECVMSG);
sqe.setInt32(132, sock, true);
sqe.setUint32(144, 1024, true);
sqe.setUint32(148, 1, true);
sqe.setUint32(160, 3, true); // user_data 3
if (native.uringRegisterBuffers(ring, [{ iov_base: 2 ** 32, iov_len: 1024 }]) !== 0) throw new Error('register');
const submitted = native.uringSubmit(ring, 3, 0, 0);
parentPort.postMessage({ type: 'ready', fd: native.uringFd(ring), submitted, arena: arena.byteLength });
// Kept reachable, or the collector would close the ring before the worker
// exits. Alive until the parent has seen the ring: then exit, or wait to be
// terminated.
globalThis.kept = { ring, arena };
if (how === 'exit') parentPort.once('message', () => process.exit(0));
else setInterval(() => undefined, 1000);
