// An EpollLoop (through the raw addon) inside a worker thread: proves the
// addon is context-aware and that the loop runs on the worker's own libuv
// loop. It reports each batch to the parent; `exitAfter` batches in, it
// leaves the loop started, referenced and open, and ends the worker, which
// must close the loop (async cleanup hook) rather than hang or abort.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const native = require('./addon.cjs');

const { EPOLL_CTL_ADD, EPOLLIN } = native.constants;
const { efd, exitAfter, exitHow } = workerData;
const events = new Uint32Array(8);
const loop = native.loopOpen(events, 4);
const epfd = native.loopFd(loop);
native.epoll_ctl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN, 4242);
let batches = 0;
const counter = new Uint8Array(8);
native.loopStart(loop, (count, ev) => {
  native.read(efd, counter);
  batches++;
  parentPort.postMessage({ type: 'batch', count, mask: ev[0], data: ev[1], epfd, sameArray: ev === events });
  if (batches === exitAfter) {
    if (exitHow === 'exit') process.exit(0);
    // otherwise: stay alive; the parent terminates this worker
  }
});
parentPort.postMessage({ type: 'ready', epfd });
