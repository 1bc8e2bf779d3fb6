// The shape of benchmarks/results/<timestamp>.json.
import type { MicroResult, Ratio, Sample, Summary, Target } from './analyze.js';
import type { ServerDef, WorkloadDef } from './defs.js';
import type { MachineInfo } from './proc.js';
import type { LabResult } from '../lab/lab.js';

export const SCHEMA_VERSION = 1;

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
}

export interface Results {
  schema: number;
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
  targets: Target[];
  micro: MicroResult & { raw?: unknown };
  lab: LabResult | { skipped: string } | null;
  failures: string[];
}
