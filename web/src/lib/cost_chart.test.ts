import { describe, expect, it } from 'vitest';
import { costTable } from './cost_table';
import { stackedSpend } from './cost_chart';

const row = (model: string, day: string, spend: number) => ({
  provider: 'openai',
  model,
  day,
  spend_usd: spend,
  calls: 10,
  priced_calls: 10,
  usd_per_1000_calls: null,
});

describe('stackedSpend', () => {
  it('stacks each day by model, most expensive at the bottom, 0 where a model had no calls', () => {
    const s = stackedSpend(costTable([row('mini', '2026-12-06', 0.5), row('gpt-4o', '2026-12-07', 3), row('gpt-4o', '2026-12-06', 1)]));
    expect(s.days).toEqual([Date.UTC(2026, 11, 6) / 1000, Date.UTC(2026, 11, 7) / 1000]);
    expect(s.layers.map((l) => l.label)).toEqual(['openai/gpt-4o', 'openai/mini']);
    expect(s.layers[0].own).toEqual([1, 3]);
    expect(s.layers[0].top).toEqual([1, 3]);
    expect(s.layers[1].own).toEqual([0.5, 0]);
    expect(s.layers[1].top).toEqual([1.5, 3]);
  });
  it('folds the cheapest models into one "other" layer beyond the limit', () => {
    const rows = ['a', 'b', 'c', 'd'].map((m, i) => row(m, '2026-12-06', 4 - i));
    const s = stackedSpend(costTable(rows), 3);
    expect(s.layers.map((l) => l.label)).toEqual(['openai/a', 'openai/b', 'other (2 models)']);
    expect(s.layers[2].own).toEqual([3]);
    expect(s.layers[2].top).toEqual([10]);
  });
  it('is empty without rows', () => {
    expect(stackedSpend(costTable([]))).toEqual({ days: [], layers: [] });
  });
});
