// Child processes of a benchmark run: every one is recorded by pid and
// killed (by that pid, nothing else) when the run ends, fails or is
// interrupted; every wait is bounded.
import { spawn, type ChildProcess } from 'node:child_process';

const live = new Map<number, ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAll();
      process.stderr.write(`\nbench: ${sig}, children stopped\n`);
      process.exit(130);
    });
  }
}

/** Kills every child still running (SIGKILL, by pid). */
export function killAll(): void {
  for (const [pid, child] of live) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  live.clear();
}

/** Spawns a tracked child. `cpu` pins it with taskset when given; `env` is added to this process's environment. */
export function spawnTracked(cmd: string[], cpu: number | null, stdin: 'pipe' | 'ignore' = 'ignore', env?: NodeJS.ProcessEnv): ChildProcess {
  hookExit();
  const argv = cpu === null ? cmd : ['taskset', '-c', String(cpu), ...cmd];
  const child = spawn(argv[0], argv.slice(1), { stdio: [stdin, 'pipe', 'pipe'], env: env && { ...process.env, ...env } });
  if (child.pid !== undefined) {
    const pid = child.pid;
    live.set(pid, child);
    child.once('exit', () => live.delete(pid));
  }
  return child;
}

/**
 * Starts an echo server (stdin a pipe, for --watch-stdin) and waits up to
 * 15 s for its "ready <port>" line.
 */
export async function startServer(cmd: string[], cpu: number | null, env?: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = spawnTracked(cmd, cpu, 'pipe', env);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no "ready" from ${cmd.join(' ')}`)), 15_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /ready (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before "ready"`));
    });
  });
  return { child, port };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command to its end, killing it after `timeoutMs`. */
export function run(cmd: string[], cpu: number | null, timeoutMs: number): Promise<Finished> {
  const child = spawnTracked(cmd, cpu);
  return collect(child, timeoutMs);
}

export function collect(child: ChildProcess, timeoutMs: number): Promise<Finished> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      stop(child);
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: stderr + String(e), timedOut });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Stops one child: closes its stdin, then SIGTERM, then SIGKILL. */
export function stop(child: ChildProcess, graceMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const pid = child.pid;
    const timers: NodeJS.Timeout[] = [];
    child.once('exit', () => {
      timers.forEach(clearTimeout);
      resolve();
    });
    child.stdin?.end();
    timers.push(
      setTimeout(() => {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // gone
        }
      }, graceMs / 2),
      setTimeout(() => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }, graceMs),
    );
  });
}
