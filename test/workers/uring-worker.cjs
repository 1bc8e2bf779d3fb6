// An io_uring ring (through the raw addon) inside a worker thread, left with
// operations in flight: a recv on the parent's socket into an arena, and a
// multishot accept. The worker then exits (or is terminated) without
// closing the ring; its environment's cleanup hook must cancel both, close
// the ring fd and unmap the memory, without a crash or a sanitizer report.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const native = require('./addon.cjs');

const { IORING_OP_RECV, IORING_OP_ACCEPT, IORING_ACCEPT_MULTISHOT } = native.constants;
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
const submitted = native.uringSubmit(ring, 2, 0, 0);
parentPort.postMessage({ type: 'ready', fd: native.uringFd(ring), submitted, arena: arena.byteLength });
// Kept reachable, or the collector would close the ring before the worker
// exits. Alive until the parent has seen the ring: then exit, or wait to be
// terminated.
globalThis.kept = { ring, arena };
if (how === 'exit') parentPort.once('message', () => process.exit(0));
else setInterval(() => undefined, 1000);
