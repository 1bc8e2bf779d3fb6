// Number formatting shared by the table, the report and the chart.
import type { Spread } from './analyze.js';

export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toFixed(2)} G`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(1)} k`;
  if (a >= 100) return x.toFixed(0);
  return x.toPrecision(digits);
}

export function fmtSpread(s: Spread, digits = 3): string {
  if (s.n === 0) return '–';
  if (s.n === 1) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

export function fmtRatio(s: Spread): string {
  if (s.n === 0) return '–';
  return s.n === 1 ? `${s.median.toFixed(2)}x` : `${s.median.toFixed(2)}x (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

export function fmtBytes(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 1 << 20) return `${(x / (1 << 20)).toFixed(1)} MiB`;
  if (Math.abs(x) >= 1024) return `${(x / 1024).toFixed(1)} KiB`;
  return `${x.toFixed(0)} B`;
}
