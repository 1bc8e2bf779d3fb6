// An io_uring loop (through the raw addon) inside a worker thread: the loop
// runs on the worker's own libuv loop, and each batch the callback stages
// one NOP that the loop submits. `exitAfter` batches in, the worker exits
// (or waits to be terminated) with the loop started, referenced and open,
// and the ring open: its teardown must close both, rather than hang, leak
// the fds or abort.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const native = require('./addon.cjs');

const { exitAfter, how } = workerData;
const ring = native.uringOpen(8, {});
const [cqBuf, staging] = native.uringViews(ring);
const cq = new Uint32Array(cqBuf); // word 0 the tail, word 1 the head
new DataView(staging).setUint8(0, native.constants.IORING_OP_NOP); // slot 0: a NOP, reused
const ctl = new Uint32Array(4); // word 0: SQEs staged
const loop = native.uringLoopOpen(ring, ctl);
let batches = 0;
native.uringLoopStart(loop, () => {
  const cqes = cq[0] - cq[1];
  cq[1] = cq[0];
  batches++;
  parentPort.postMessage({ batch: batches, cqes });
  if (batches < exitAfter) ctl[0] = 1;
  else if (how === 'exit') process.exit(0);
  // otherwise: stay alive, nothing in flight; the parent terminates this worker
});
native.uringSubmit(ring, 1, 0, 0);
globalThis.kept = { ring, loop };
