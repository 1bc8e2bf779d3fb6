// A child process for test/signalfd.test.ts: blocks a signal on its main
// thread, reads it from a signalfd, and prints one line per step, so the
// parent sends the next signal only after the child has read the last one
// (standard signals do not queue: two sent before one is read merge).
// Plain CommonJS on the raw addon, so that no loader (tsx) starts a thread
// or libuv's thread pool before the signal is blocked.
'use strict';
const fs = require('node:fs');
const a = require('./addon.cjs');
const C = a.constants;
const [mode, name, roundsArg] = process.argv.slice(2);
const sig = C[name];
const rounds = Number(roundsArg || 0);

const say = (line) => fs.writeSync(1, `${line}\n`);

// The threads of this process that do not block `s`, from /proc: the
// threads a process-directed signal may be delivered to instead.
function unblockedThreads(s) {
  return fs.readdirSync('/proc/self/task').filter((tid) => {
    const status = fs.readFileSync(`/proc/self/task/${tid}/status`, 'utf8');
    const blocked = BigInt(`0x${/SigBlk:\s*([0-9a-f]+)/.exec(status)[1]}`);
    return ((blocked >> BigInt(s - 1)) & 1n) === 0n;
  }).length;
}

function run() {
  const old = a.sigprocmask(C.SIG_BLOCK, [sig]);
  if (!Array.isArray(old)) throw new Error(`sigprocmask: ${old}`);
  const fd = a.signalfd(-1, [sig], 0);
  if (fd < 0) throw new Error(`signalfd: ${fd}`);
  say(`ready pid=${process.pid} tid=${a.gettid()} unblocked=${unblockedThreads(sig)}`);
  const buf = Buffer.alloc(128);
  for (let i = 0; i < rounds; i++) {
    if (mode === 'self') a.tgkill(process.pid, a.gettid(), sig);
    const r = a.read(fd, buf);
    if (r !== 128) throw new Error(`read: ${r}`);
    const si = a.signalfd_siginfo(buf);
    say(`got signo=${si.ssi_signo} code=${si.ssi_code} pid=${si.ssi_pid}`);
  }
  a.close(fd);
  say('done');
}

if (mode === 'pool-first') {
  // libuv's thread pool started before the signal is blocked: its threads
  // keep the mask they were created with.
  fs.readFile(__filename, () => run());
} else {
  run();
}
