// The C programs of the benchmark, compiled on first use (or when their
// source is newer than the binary) with `cc -O2` into benchmarks/bin/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

export const BENCH_DIR = path.resolve(__dirname, '..');
export const BIN_DIR = path.join(BENCH_DIR, 'bin');
export const PROGRAMS = ['echo-server', 'loadgen', 'syscall-loop', 'uring-echo-server'] as const;
export type Program = (typeof PROGRAMS)[number];

export function binPath(program: Program): string {
  return path.join(BIN_DIR, program);
}

/** Compiles what is missing or stale; returns the programs it compiled. */
export function ensureBinaries(log: (line: string) => void = () => {}): Program[] {
  mkdirSync(BIN_DIR, { recursive: true });
  const built: Program[] = [];
  // A program includes the headers beside it, so a newer header makes it stale too.
  const dir = path.join(BENCH_DIR, 'c');
  const headers = readdirSync(dir).filter((f) => f.endsWith('.h'));
  const newest = (src: string) => Math.max(statSync(src).mtimeMs, ...headers.map((h) => statSync(path.join(dir, h)).mtimeMs));
  for (const program of PROGRAMS) {
    const src = path.join(dir, `${program}.c`);
    const bin = binPath(program);
    if (existsSync(bin) && statSync(bin).mtimeMs >= newest(src)) continue;
    log(`compiling ${path.relative(process.cwd(), src)}`);
    execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-pthread', '-o', bin, src, '-lm'], { stdio: ['ignore', 'inherit', 'inherit'] });
    built.push(program);
  }
  return built;
}
