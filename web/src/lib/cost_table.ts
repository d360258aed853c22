// The Cost view's table: GET /api/cost rows grouped by model and day turned into one row per
// model (provider/model) with its spend on each day, its total, its calls and its cost per 1,000
// calls, most expensive first, and the days in order.
import type { CostRow } from '../api/types';

export interface ModelSpend {
  provider: string;
  model: string;
  byDay: Record<string, number>; // day → USD
  spendUsd: number;
  calls: number;
  usdPer1000Calls: number | null;
}

export interface CostTable {
  days: string[];
  models: ModelSpend[];
  totalUsd: number;
}

export function costTable(rows: CostRow[]): CostTable {
  const days = new Set<string>();
  const models = new Map<string, ModelSpend>();
  for (const r of rows) {
    days.add(r.day);
    const key = JSON.stringify([r.provider, r.model]);
    let m = models.get(key);
    if (!m) {
      m = { provider: r.provider, model: r.model, byDay: {}, spendUsd: 0, calls: 0, usdPer1000Calls: null };
      models.set(key, m);
    }
    m.byDay[r.day] = (m.byDay[r.day] ?? 0) + r.spend_usd;
    m.spendUsd += r.spend_usd;
    m.calls += r.calls;
  }
  const list = [...models.values()];
  for (const m of list) m.usdPer1000Calls = m.calls > 0 ? (m.spendUsd / m.calls) * 1000 : null;
  list.sort((a, b) => b.spendUsd - a.spendUsd || a.model.localeCompare(b.model));
  return { days: [...days].sort(), models: list, totalUsd: list.reduce((t, m) => t + m.spendUsd, 0) };
}

// USD with enough digits for a fraction of a cent.
export function usd(v: number | null): string {
  if (v === null) return '–';
  return v >= 1 ? `$${v.toFixed(2)}` : `$${v.toPrecision(3)}`;
}
