// The Cost view's chart: each day's spend as a bar stacked by model (GET /api/cost grouped by
// model and day, via costTable). Pure, so the stacking is tested without a canvas.
//
// The most expensive models get a layer each, the rest one "other" layer, so that the colours
// stay apart; the most expensive is the bottom layer. The days are those with rows; a model
// without calls on one of them has 0 there.
import type { CostTable } from './cost_table';

export interface SpendLayer {
  label: string; // "provider/model", or "other (n models)"
  own: number[]; // this layer's spend on each day, USD
  top: number[]; // the stack's height at this layer's top on each day: its own and those below
}

export interface StackedSpend {
  days: number[]; // each day's start, UTC, in seconds (uPlot's x)
  layers: SpendLayer[]; // bottom first
}

export const MAX_LAYERS = 6;

export function stackedSpend(table: CostTable, maxLayers: number = MAX_LAYERS): StackedSpend {
  const days = table.days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const spendOn = (byDay: Record<string, number>) => table.days.map((d) => byDay[d] ?? 0);
  // table.models is most expensive first.
  const own = table.models.length <= maxLayers ? table.models : table.models.slice(0, maxLayers - 1);
  const layers: { label: string; own: number[] }[] = own.map((m) => ({ label: `${m.provider}/${m.model}`, own: spendOn(m.byDay) }));
  const rest = table.models.slice(own.length);
  if (rest.length > 0) {
    const sum = table.days.map((d) => rest.reduce((t, m) => t + (m.byDay[d] ?? 0), 0));
    layers.push({ label: `other (${rest.length} models)`, own: sum });
  }
  const below = table.days.map(() => 0);
  return {
    days,
    layers: layers.map((l) => {
      const top = l.own.map((v, i) => (below[i] += v));
      return { ...l, top };
    }),
  };
}
