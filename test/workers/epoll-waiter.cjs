// One of several threads blocked in epoll_wait on a shared epfd. It reports
// its thread id (so the parent can see, in /proc, when it is really asleep
// in the kernel), then makes ONE bounded wait and reports what it got.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { readlinkSync } = require('node:fs');
const native = require('./addon.cjs');

const { epfd, timeoutMs } = workerData;
const ev = new Uint32Array(16);
// /proc/thread-self is "<pid>/task/<tid>".
const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
parentPort.postMessage({ type: 'tid', tid });
const count = native.epoll_wait(epfd, ev, 8, timeoutMs);
parentPort.postMessage({ type: 'result', count, mask: ev[0], data: ev[1] });
