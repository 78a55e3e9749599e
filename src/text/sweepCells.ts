import type { AggregateMetric } from '../sweep/aggregate';
import type { Interval } from '../stats/intervals';
import type { Tabular } from './tabular';

/** How a sweep's numbers are written in its tables (sweepReport.ts, sweepGridTables.ts): names, units, signs. */

export const METRIC_NAMES: Record<AggregateMetric, string> = {
  accuracy: 'accuracy',
  nll: 'NLL',
  ece: 'ECE',
  brier: 'Brier',
  meanConfidence: 'mean confidence',
  temperature: 'temperature',
  tsAccuracy: 'accuracy after TS',
  tsNll: 'NLL after TS',
  tsEce: 'ECE after TS',
  tsBrier: 'Brier after TS',
  tsMeanConfidence: 'mean confidence after TS',
};

/** The gate language's name of an arm after temperature scaling: hardTs, smoothedTs-0.1. */
export function scaledArmName(arm: string): string {
  return arm === 'hard' ? 'hardTs' : arm.replace(/^smoothed/, 'smoothedTs');
}

/** tsAccuracy is shown like accuracy, tsNll like nll, …: the unit is the metric's. */
export function unscaled(metric: AggregateMetric): AggregateMetric {
  return metric.startsWith('ts') ? ((metric.slice(2, 3).toLowerCase() + metric.slice(3)) as AggregateMetric) : metric;
}

export function value(metric: AggregateMetric, v: number | null): string {
  metric = unscaled(metric);
  if (v === null || !Number.isFinite(v)) return '—';
  return metric === 'accuracy' ? `${(v * 100).toFixed(2)}%` : v.toFixed(4);
}

export function delta(metric: AggregateMetric, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  const scaled = metric === 'accuracy' ? v * 100 : v;
  const digits = metric === 'accuracy' ? 2 : 4;
  const s = Math.abs(scaled).toFixed(digits);
  const sign = Number(s) === 0 ? '±' : scaled > 0 ? '+' : '−';
  return `${sign}${s}${metric === 'accuracy' ? ' pts' : ''}`;
}

export function interval(metric: AggregateMetric, i: Interval | null): string {
  return i === null ? '—' : `[${delta(metric, i.low)}, ${delta(metric, i.high)}]`;
}

export function meanSd(metric: AggregateMetric, mean: number, sd: number | null, n: number): string {
  if (n === 0) return '—';
  metric = unscaled(metric);
  return sd === null ? value(metric, mean) : `${value(metric, mean)} ± ${metric === 'accuracy' ? `${(sd * 100).toFixed(2)}%` : sd.toFixed(4)}`;
}


/** One titled table of the report (the HTML report renders the same sections as HTML tables). */
export interface SweepSection extends Tabular {
  title: string;
}
