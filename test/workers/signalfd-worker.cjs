// A worker_thread for test/signalfd.test.ts: blocks SIGUSR2 on its own
// thread, posts its tid, and reads the signals the parent sends to that
// thread with tgkill from a signalfd, posting each one back.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const a = require('./addon.cjs');
const C = a.constants;

a.sigprocmask(C.SIG_BLOCK, [C.SIGUSR2]);
const fd = a.signalfd(-1, [C.SIGUSR2], 0);
const buf = Buffer.alloc(128);
parentPort.postMessage({ tid: a.gettid() });
for (let i = 0; i < workerData.rounds; i++) {
  // The parent sends the next signal only after this one is posted back:
  // standard signals do not queue.
  const r = a.read(fd, buf);
  const si = a.signalfd_siginfo(buf);
  parentPort.postMessage({ r, signo: si.ssi_signo, code: si.ssi_code, pid: si.ssi_pid });
}
a.close(fd);
