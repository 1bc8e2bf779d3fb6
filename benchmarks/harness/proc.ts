// Reading a process's cost from /proc: CPU time, resident memory, and the
// machine facts a result file records.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as os from 'node:os';

/** Clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
export const CLK_TCK = clockTicks();

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

export interface CpuSample {
  /** utime + stime from /proc/<pid>/stat, in clock ticks (all threads). */
  ticks: number;
  /** The same in seconds. */
  seconds: number;
  /** Sum of every thread's run time from /proc/<pid>/task/<tid>/schedstat, in ns (-1 if unreadable). */
  schedNs: number;
}

/**
 * The CPU time a process has used so far. /proc/<pid>/stat counts in clock
 * ticks (10 ms at 100 Hz); schedstat has the same kernel counter in ns.
 * @throws when the process does not exist.
 */
export function readCpu(pid: number): CpuSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // comm (field 2) may contain spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime (14) + stime (15)
  let schedNs = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        schedNs += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // a thread that ended between readdir and open
      }
    }
  } catch {
    schedNs = -1;
  }
  return { ticks, seconds: ticks / CLK_TCK, schedNs };
}

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM ...), or -1. */
export function statusKb(pid: number, key: string): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}

export function hasCommand(name: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(`${dir}/${name}`));
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  kernel: string;
  node: string;
  libuv: string;
  v8: string;
  clkTck: number;
  memTotalKb: number;
  taskset: boolean;
  strace: boolean;
  cc: string;
  hostname: string;
}

export function machineInfo(): MachineInfo {
  let cc = 'unknown';
  try {
    cc = execFileSync('cc', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    cc = 'not found';
  }
  let memTotalKb = -1;
  try {
    memTotalKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? -1);
  } catch {
    // not Linux
  }
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    libuv: process.versions.uv ?? 'unknown',
    v8: process.versions.v8,
    clkTck: CLK_TCK,
    memTotalKb,
    taskset: hasCommand('taskset'),
    strace: hasCommand('strace'),
    cc,
    hostname: os.hostname(),
  };
}
