// The shape of a run's JSON file (benchmarks/results/local/<timestamp>.json;
// the published run is benchmarks/results/latest.json).
import type { MicroResult, Ratio, Sample, Summary, Target } from './analyze.js';
import type { HeadlineBar } from './headline.js';
import type { ServerDef, WorkloadDef } from './defs.js';
import type { MachineInfo } from './proc.js';
import type { LabResult } from '../lab/lab.js';

/**
 * 2 added `mode`, `rounds` and `headline`; a file of schema 1 is read too,
 * since those three follow from its options and samples.
 */
export const SCHEMA_VERSION = 2;

/** quick: the --quick defaults; full: the default suite; custom: anything else. */
export type RunMode = 'quick' | 'full' | 'custom';

export interface ServerStatus {
  id: string;
  label: string;
  family: ServerDef['family'];
  mode: ServerDef['mode'];
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  notes: string[];
}

export interface BenchOptions {
  quick: boolean;
  servers: string[];
  workloads: string[];
  duration: number;
  warmup: number;
  rounds: number;
  warmupRound: boolean;
  c10kConns: number;
  pin: boolean;
  micro: boolean;
  lab: boolean;
  microIterations: number;
  allocEvents: number;
  out: string;
  publish: boolean;
}

export interface Results {
  schema: number;
  mode: RunMode;
  /** Measured rounds; every figure's spread (min, max, n) is across these. */
  rounds: number;
  startedAt: string;
  finishedAt: string;
  elapsedS: number;
  options: BenchOptions;
  machine: MachineInfo;
  pinning: { serverCpu: number | null; loadgenCpu: number | null; note: string };
  method: {
    cpuSource: string;
    messageDefinitions: Record<string, string>;
  };
  servers: ServerStatus[];
  workloads: WorkloadDef[];
  samples: Sample[];
  summaries: Summary[];
  ratios: Ratio[];
  /** The headline chart's data: server CPU per message ÷ its C counterpart, per round, summarized. */
  headline: HeadlineBar[];
  targets: Target[];
  micro: MicroResult & { raw?: unknown };
  lab: LabResult | { skipped: string } | null;
  failures: string[];
}
