// Where a run's files go and how a saved run is read back. A run writes
// <stamp>.json and latest.{json,md,svg} plus latest-detail.svg into its
// output folder (benchmarks/results/local/ unless --out says otherwise, and
// ignored by git); --publish writes the same latest.* into
// benchmarks/results/, the committed run the README shows.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { allRatios, summarize, targets } from './analyze.js';
import { detailChart } from './chart.js';
import { headline } from './headline.js';
import { headlineChart } from './headline-chart.js';
import { runMode } from './options.js';
import { markdownReport } from './report.js';
import { SCHEMA_VERSION, type Results } from './results.js';

/** The rendered files of one run, named after `base` (latest, or a saved file's name). */
export function renderFiles(r: Results, dir: string, base: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: Array<[string, string]> = [
    [`${base}.md`, markdownReport(r, base)],
    [`${base}.svg`, headlineChart(r)],
    [`${base}-detail.svg`, detailChart(r)],
  ];
  for (const [name, body] of files) writeFileSync(path.join(dir, name), body);
  return files.map(([name]) => path.join(dir, name));
}

function writeJson(r: Results, file: string): string {
  writeFileSync(file, `${JSON.stringify(r, null, 1)}\n`);
  return file;
}

/** Writes a finished run: its history file and latest.* in `out`, and with `publish` the committed latest.* too. */
export function writeRun(r: Results, out: string, stamp: string, publishDir: string | null): { local: string[]; published: string[] } {
  mkdirSync(out, { recursive: true });
  const local = [writeJson(r, path.join(out, `${stamp}.json`)), writeJson(r, path.join(out, 'latest.json')), ...renderFiles(r, out, 'latest')];
  if (publishDir) mkdirSync(publishDir, { recursive: true });
  const published = publishDir ? [writeJson(r, path.join(publishDir, 'latest.json')), ...renderFiles(r, publishDir, 'latest')] : [];
  return { local, published };
}

/**
 * Reads a saved run and recomputes its analysis from the raw samples, so a
 * report re-rendered after the analysis improved shows what the samples say
 * now. Schema 1 lacks mode, rounds and headline; they follow from its
 * options and samples.
 */
export function loadResults(file: string): Results {
  let stored: Partial<Results>;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<Results>;
  } catch (e) {
    throw new Error(`--report ${file}: not readable as JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof stored.schema !== 'number' || stored.schema < 1 || stored.schema > SCHEMA_VERSION || !Array.isArray(stored.samples) || !stored.options)
    throw new Error(
      `--report ${file}: not a result file this version reads (schema ${String(stored.schema)}; it reads schemas 1 to ${SCHEMA_VERSION} of npm run bench)`,
    );
  const r = stored as Results;
  return {
    ...r,
    mode: r.mode ?? runMode(r.options),
    rounds: r.rounds ?? r.options.rounds,
    summaries: summarize(r.samples),
    ratios: allRatios(r.samples, r.workloads.map((w) => w.id)),
    headline: headline(r.samples, r.servers.map((s) => s.id)),
    targets: targets(r.samples, r.micro),
  };
}
