import type { z } from 'zod';
import { CliError } from '../errors';
import { TrainConfigSchema } from '../config/schema';
import { parseFlagText, schemaOptions } from '../config/schemaOptions';
import { canonicalJson, formatGridValue, gridAxes, gridPoints, pointLabel, type GridPoint, type SweepGrid } from './grid';

/**
 * Which grid points a gate (`--assert`) is about:
 *
 *   all(A)              A holds at every grid point (the same as A alone)
 *   any(A)              A holds at one grid point at least
 *   at(SELECTOR: A)     A holds at every grid point the selector picks
 *   SELECTOR := ITEM ("," ITEM)*      ITEM := p3 | key=value     e.g. at(labelNoise=0.4, hidden=[256,128]: …)
 *
 * A key is a training option the grid varies (camelCase or kebab-case), a value one of its values written
 * as on --grid (a list in brackets, text with other characters than letters and digits in quotes).
 * The syntax is read with the assertion (assertions.ts); what a selector names is resolved against the
 * sweep's grid here, so that `sweep show` checks a gate against the stored grid.
 */
export type SelectorItem = { kind: 'point'; id: string } | { kind: 'value'; name: string; valueText: string };

export type GateScope = { kind: 'all' } | { kind: 'any' } | { kind: 'at'; items: SelectorItem[]; text: string };

/** The gate's text for messages: at(…) names its selector. */
function describe(scope: GateScope): string {
  return scope.kind === 'at' ? `at(${scope.text}: …)` : `${scope.kind}(…)`;
}

function matches(item: Extract<SelectorItem, { kind: 'value' }>, grid: SweepGrid, gate: string): { key: string; value: string } {
  const axes = gridAxes(grid);
  const axis = axes.find((a) => a.key === item.name || a.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) === item.name);
  if (!axis) {
    const have = axes.length > 0 ? `its axes are ${axes.map((a) => a.key).join(', ')}` : 'it has no axes (no --grid)';
    throw new CliError(`--assert '${gate}': "${item.name}" is not an axis of this sweep's grid; ${have}`);
  }
  const option = schemaOptions(TrainConfigSchema).find((o) => o.key === axis.key)!;
  const isList = option.kind === 'number-list' || option.kind === 'string-list';
  const text = isList ? item.valueText.replace(/^\[(.*)\]$/s, '$1') : item.valueText;
  const parsed = parseFlagText(option, text);
  const normal = 'error' in parsed ? undefined : (TrainConfigSchema.shape as Record<string, z.ZodType>)[axis.key]!.safeParse(parsed.value);
  const found = normal?.success ? axis.values.find((v) => canonicalJson(v) === canonicalJson(normal.data)) : undefined;
  if (found === undefined) {
    throw new CliError(`--assert '${gate}': ${axis.key}=${item.valueText} is not a value of the grid; its values are ${axis.values.map(formatGridValue).join(', ')}`);
  }
  return { key: axis.key, value: canonicalJson(found) };
}

/**
 * The grid points a gate is about, in grid order: all of them, or those the selector picks. A selector
 * naming a key, a value or a point the grid does not have is a usage error (exit 2), checked before any
 * training.
 */
export function resolveScope(scope: GateScope, grid: SweepGrid, gate: string): GridPoint[] {
  const points = gridPoints(grid);
  if (scope.kind !== 'at') return points;
  let picked = points;
  for (const item of scope.items) {
    if (item.kind === 'point') {
      if (!points.some((p) => p.id === item.id)) {
        throw new CliError(`--assert '${gate}': ${item.id} is not a grid point of this sweep; it has ${points.length === 1 ? 'p1' : `p1 to p${points.length}`}`);
      }
      picked = picked.filter((p) => p.id === item.id);
    } else {
      const { key, value } = matches(item, grid, gate);
      picked = picked.filter((p) => canonicalJson(p.values[key]) === value);
    }
  }
  if (picked.length === 0) throw new CliError(`--assert '${gate}': ${describe(scope)} picks no grid point (its items contradict each other)`);
  return picked;
}

/** The points a gate's instances are reported with: id and label. */
export function scopePoints(scope: GateScope, grid: SweepGrid, gate: string): { id: string; label: string }[] {
  return resolveScope(scope, grid, gate).map((p) => ({ id: p.id, label: pointLabel(p) }));
}
