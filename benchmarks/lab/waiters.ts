// Lab: several threads waiting for connections on one listening socket.
// Each worker_thread waits in epoll_wait and accepts; the load generator's
// churn mode makes connections. Counted per variant: wake-ups per accepted
// connection (epoll_wait returned events), futile wake-ups (woken, but accept
// found the queue empty), the workers' voluntary context switches per
// connection (kernel wake-ups, including those epoll_wait swallows), and how
// evenly the connections spread over the workers.
//
//   node --import tsx benchmarks/lab/waiters.ts <port-of-nothing> ... (run by the runner)
//
// Variants
//   each-lt         every worker has its own epoll set with the listener, level-triggered
//   each-et         the same, edge-triggered
//   each-exclusive  the same with EPOLLEXCLUSIVE (Linux 4.5)
//   shared-lt       one epoll set, every worker in epoll_wait on it, level-triggered
//   shared-et       the same, edge-triggered
//   reuseport       every worker has its own listener on the same port (SO_REUSEPORT)
//
// Main thread usage: waiters.ts <loadgen-path> <workers> <duration-s> [variants,...]
// Prints one JSON line.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  AF_INET,
  EPOLLET,
  EPOLLEXCLUSIVE,
  EPOLLIN,
  EPOLL_CTL_ADD,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEPORT,
  accept,
  bind,
  close,
  getsockname,
  listen,
  read,
  socket,
  write,
} from 'posix-sockets';
import { api } from '../servers/api.js';

const VARIANTS = ['each-lt', 'each-et', 'each-exclusive', 'shared-lt', 'shared-et', 'reuseport'] as const;
type Variant = (typeof VARIANTS)[number];

interface WorkerJob {
  variant: Variant;
  lfd: number;
  port: number;
  sharedEpfd: number;
  stop: SharedArrayBuffer;
}

interface WorkerCounts {
  wakeups: number;
  futile: number;
  accepted: number;
  eagain: number;
  /** Voluntary context switches of this thread while it served: every kernel wake-up, even one epoll_wait swallows. */
  switches: number;
}

// A wake-up that finds the accept queue already emptied by another thread
// may never reach user space (epoll_wait re-checks readiness and sleeps
// again), so the thread's own count of voluntary context switches is what
// shows a thundering herd.
function voluntarySwitches(): number {
  const m = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync('/proc/thread-self/status', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

function listener(port: number, reuseport: boolean): number {
  const fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK);
  if (reuseport) api('sockopt')!.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
  bind(fd, { family: AF_INET, address: '127.0.0.1', port });
  return fd;
}

function workerMain(job: WorkerJob): void {
  const ep = api('epoll')!;
  const stop = new Int32Array(job.stop);
  const counts: WorkerCounts = { wakeups: 0, futile: 0, accepted: 0, eagain: 0, switches: 0 };
  let lfd = job.lfd;
  let epfd = job.sharedEpfd;
  if (job.variant === 'reuseport') {
    lfd = listener(job.port, true);
    listen(lfd);
  }
  if (epfd < 0) {
    epfd = ep.epoll_create1(0);
    const mask = job.variant === 'each-et' ? EPOLLIN | EPOLLET : job.variant === 'each-exclusive' ? EPOLLIN | EPOLLEXCLUSIVE : EPOLLIN;
    ep.epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, mask);
  }
  parentPort!.postMessage({ ready: true });
  const switches0 = voluntarySwitches();
  const events = new Uint32Array(2 * 16);
  const buf = Buffer.alloc(64);
  while (Atomics.load(stop, 0) === 0) {
    if (ep.epoll_wait(epfd, events, 16, 50) <= 0) continue;
    counts.wakeups++;
    let first = true;
    for (;;) {
      // Blocking accepted socket: the client sends its 64 bytes right after connecting.
      const fd = accept(lfd);
      if (fd < 0) {
        counts.eagain++;
        if (first) counts.futile++;
        break;
      }
      first = false;
      counts.accepted++;
      try {
        let got = 0;
        while (got < 64) {
          const n = read(fd, buf, 64 - got, got);
          if (n <= 0) break;
          got += n;
        }
        if (got > 0) write(fd, buf, got);
      } catch {
        // the load generator resets connections; a reset here is not the lab's concern
      }
      close(fd);
      // LT and shared sets: accept one per wake-up, as most servers do, so
      // that the wake-up pattern is visible. ET must drain the queue.
      if (job.variant !== 'each-et' && job.variant !== 'shared-et') break;
    }
  }
  counts.switches = voluntarySwitches() - switches0;
  if (job.variant === 'reuseport') close(lfd);
  if (job.sharedEpfd < 0) close(epfd);
  parentPort!.postMessage({ counts });
}

async function runVariant(variant: Variant, loadgen: string, workers: number, duration: number): Promise<object> {
  const ep = api('epoll')!;
  const stop = new SharedArrayBuffer(4);
  let lfd = -1;
  let sharedEpfd = -1;
  let port = 0;
  const probe = listener(0, variant === 'reuseport');
  const addr = getsockname(probe);
  port = 'port' in addr ? addr.port : 0;
  if (variant === 'reuseport') {
    close(probe); // the workers bind the port; nobody listens on it before they do
  } else {
    lfd = probe;
    listen(lfd);
  }
  if (variant === 'shared-lt' || variant === 'shared-et') {
    sharedEpfd = ep.epoll_create1(0);
    ep.epoll_ctl(sharedEpfd, EPOLL_CTL_ADD, lfd, variant === 'shared-et' ? EPOLLIN | EPOLLET : EPOLLIN);
  }
  const threads: Worker[] = [];
  const results: Promise<WorkerCounts>[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < workers; i++) {
    // A worker does not inherit tsx's loader: register it before loading this file.
    const w = new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, {
      eval: true,
      workerData: { variant, lfd, port, sharedEpfd, stop } satisfies WorkerJob,
    });
    threads.push(w);
    let onReady: () => void = () => {};
    ready.push(new Promise((r) => (onReady = r)));
    results.push(
      new Promise((resolve, reject) => {
        w.on('message', (m: { ready?: boolean; counts?: WorkerCounts }) => {
          if (m.ready) onReady();
          if (m.counts) resolve(m.counts);
        });
        w.on('error', reject);
      }),
    );
  }
  try {
    await Promise.all(ready);
    const lg = spawnSync(loadgen, ['--port', String(port), '--mode', 'churn', '--conns', '4', '--warmup', '0', '--duration', String(duration)], {
      encoding: 'utf8',
      timeout: (duration + 20) * 1000,
    });
    const out = JSON.parse(lg.stdout.trim().split('\n').pop() ?? '{}') as { ok: boolean; messages?: number; error?: string };
    Atomics.store(new Int32Array(stop), 0, 1);
    const counts = await Promise.all(results);
    const sum = (k: keyof WorkerCounts) => counts.reduce((a, c) => a + c[k], 0);
    const accepted = sum('accepted');
    const perWorker = counts.map((c) => c.accepted);
    return {
      variant,
      workers,
      ok: out.ok,
      error: out.error,
      connections: accepted,
      wakeupsPerConn: sum('wakeups') / Math.max(1, accepted),
      futilePerConn: sum('futile') / Math.max(1, accepted),
      eagainPerConn: sum('eagain') / Math.max(1, accepted),
      switchesPerConn: sum('switches') / Math.max(1, accepted),
      acceptedPerWorker: perWorker,
      imbalance: Math.max(...perWorker) / Math.max(1, Math.min(...perWorker)),
    };
  } finally {
    Atomics.store(new Int32Array(stop), 0, 1);
    await Promise.all(threads.map((t) => t.terminate()));
    if (lfd >= 0) close(lfd);
    if (sharedEpfd >= 0) close(sharedEpfd);
  }
}

async function main(): Promise<void> {
  const [loadgen, workersArg, durationArg, variantsArg] = process.argv.slice(2);
  if (!api('epoll')) {
    process.stdout.write(`${JSON.stringify({ skipped: 'epoll_create1/epoll_ctl/epoll_wait not in this build' })}\n`);
    return;
  }
  const wanted = (variantsArg ? variantsArg.split(',') : [...VARIANTS]) as Variant[];
  const out: object[] = [];
  for (const v of wanted) {
    if (v === 'reuseport' && !api('sockopt')) {
      out.push({ variant: v, skipped: 'setsockopt not in this build' });
      continue;
    }
    out.push(await runVariant(v, loadgen, Number(workersArg ?? 4), Number(durationArg ?? 0.5)));
  }
  process.stdout.write(`${JSON.stringify({ variants: out })}\n`);
}

if (isMainThread) {
  const timer = setTimeout(() => {
    process.stderr.write('waiters lab: hard deadline reached\n');
    process.exit(1);
  }, 120_000);
  timer.unref();
  main().catch((e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  });
} else {
  workerMain(workerData as WorkerJob);
}
