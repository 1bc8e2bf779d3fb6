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

/**
 * A fraction as a plain percentage: 1.0 is "100 %", 0.394 "39 %", 0.045
 * "4.5 %". Whole percents from 10 % up, since rounds differ by more than that.
 */
export function fmtPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '–';
  const p = fraction * 100;
  return Math.abs(p) >= 10 || p === 0 ? `${p.toFixed(0)} %` : `${p.toFixed(1)} %`;
}

/** Seconds as the time a person reads: "45 s", "3 min 05 s", "1 h 02 min". */
export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
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
