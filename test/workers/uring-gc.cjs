// Child process for test/liburing.workers.test.ts: rings that become garbage
// with operations in flight are closed by their finalizer (run with
// --expose-gc). Prints the fds the rings had and whether each is gone.
'use strict';
const fs = require('node:fs');
const native = require('./addon.cjs');

const { IORING_OP_TIMEOUT } = native.constants;
const fds = [];
(() => {
  for (let i = 0; i < 4; i++) {
    const ring = native.uringOpen(4, {});
    const [, staging] = native.uringViews(ring);
    const arena = new BigInt64Array(native.uringArena(ring, 64));
    arena[0] = 3600n; // an hour: still pending when the ring is collected
    const sqe = new DataView(staging);
    sqe.setUint8(0, IORING_OP_TIMEOUT);
    sqe.setInt32(4, -1, true);
    sqe.setUint32(20, 1, true); // addr: arena 0, offset 0
    sqe.setUint32(24, 1, true); // len 1
    if (native.uringSubmit(ring, 1, 0, 0) !== 1) throw new Error('submit');
    fds.push(native.uringFd(ring));
  }
})();
const isRing = (fd) => {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:[io_uring]';
  } catch {
    return false;
  }
};
const before = fds.map(isRing);
setImmediate(() => {
  global.gc();
  setTimeout(() => {
    global.gc();
    console.log(JSON.stringify({ before, after: fds.map(isRing) }));
  }, 50);
});
