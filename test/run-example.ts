// Runs a script of examples/ as its reader runs it (with tsx), for the
// examples tests: one way to start it, collect what it prints, wait for a
// line, and stop it, so no test leaves a child or its pipes behind.
//
// `node --import tsx`, not the tsx CLI: the CLI runs the script in a
// grandchild, which a kill by pid would miss.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Long enough for the slowest lesson (keepalive, ~3 s) on a busy machine, and under vitest's 20 s test timeout. */
const DEFAULT_TIMEOUT_MS = 15_000;

export interface Example {
  readonly child: ChildProcess;
  /** All the script has printed to stdout so far. */
  stdout(): string;
  /** Its stdout and stderr so far, for an error message. */
  transcript(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects if the script ends first or `ms` pass. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
  /** The exit code once the script has ended and its output is all read; null if a signal ended it. */
  readonly exited: Promise<number | null>;
  /** Kills the script by pid if it still runs, and waits until its pipes are closed. */
  stop(): Promise<void>;
}

const running = new Set<Example>();

/** Starts `examples/<file>` with `args`; stop it with {@link stopExamples} in an afterEach. */
export function startExample(file: string, args: string[] = [], env?: NodeJS.ProcessEnv): Example {
  return startCommand(process.execPath, ['--import', 'tsx', `examples/${file}`, ...args], file, env);
}

/**
 * Starts any program the same way (a lesson's compiled C twin, say): `file`
 * names it in error messages. Stopped by {@link stopExamples} as well.
 */
export function startCommand(command: string, args: string[], file: string, env?: NodeJS.ProcessEnv): Example {
  const child = spawn(command, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: env ?? process.env,
  });
  let out = '';
  let err = '';
  let ended = false;
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // 'close', not 'exit': after 'exit' the last of stdout may still be in the pipe.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      ended = true;
      resolve(code);
    }),
  );

  const example: Example = {
    child,
    stdout: () => out,
    transcript: () => `stdout:\n${out}\nstderr:\n${err}`,
    waitFor(pattern, ms = DEFAULT_TIMEOUT_MS) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`${file} printed no ${pattern} in ${ms} ms\n${example.transcript()}`)), ms);
        const check = () => {
          const m = pattern.exec(out);
          if (m) finish(null, m);
          else if (ended) finish(new Error(`${file} ended (exit ${child.exitCode ?? child.signalCode}) before printing ${pattern}\n${example.transcript()}`));
        };
        // Registered after the collecting listener, so `out` already holds the chunk.
        child.stdout!.on('data', check);
        child.once('close', check);
        function finish(e: Error | null, m?: RegExpExecArray) {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          child.off('close', check);
          if (e) reject(e);
          else resolve(m!);
        }
        check();
      });
    },
    exited,
    async stop() {
      running.delete(example);
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
      await exited;
    },
  };
  running.add(example);
  return example;
}

/**
 * Runs `examples/<file>` to its end and returns what it printed; rejects,
 * with its output, if it exits non-zero or takes longer than `ms`.
 */
export async function runExample(file: string, args: string[] = [], ms = DEFAULT_TIMEOUT_MS): Promise<string> {
  const example = startExample(file, args);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    const code = await Promise.race([example.exited, timedOut]);
    if (code !== 0) {
      const why = code === 'timeout' ? `did not end in ${ms} ms` : `exited ${code ?? example.child.signalCode}`;
      throw new Error(`${file} ${why}\n${example.transcript()}`);
    }
    return example.stdout();
  } finally {
    clearTimeout(timer);
    await example.stop();
  }
}

/**
 * The four ways a lesson's C twin and TypeScript twin pair up, as
 * [server, client]: each program against itself and against the other.
 */
export const PAIRINGS = [
  ['c', 'c'],
  ['ts', 'c'],
  ['c', 'ts'],
  ['ts', 'ts'],
] as const;

/** Stops every example a test started and left running; for afterEach, which runs before setup.ts's fd-leak check. */
export async function stopExamples(): Promise<void> {
  await Promise.all([...running].map((e) => e.stop()));
}
