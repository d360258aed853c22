import { describe, expect, it } from 'vitest';
import { costTable, usd } from './cost_table';

const row = (model: string, day: string, spend: number, calls: number) => ({
  provider: 'openai',
  model,
  day,
  spend_usd: spend,
  calls,
  priced_calls: calls,
  usd_per_1000_calls: null,
});

describe('costTable', () => {
  it('gives each model its spend per day, most expensive first, with its cost per 1,000 calls', () => {
    const t = costTable([row('mini', '2026-12-06', 0.5, 1000), row('gpt-4o', '2026-12-07', 3, 100), row('gpt-4o', '2026-12-06', 1, 100)]);
    expect(t.days).toEqual(['2026-12-06', '2026-12-07']);
    expect(t.models.map((m) => m.model)).toEqual(['gpt-4o', 'mini']);
    expect(t.models[0].byDay).toEqual({ '2026-12-06': 1, '2026-12-07': 3 });
    expect(t.models[0].usdPer1000Calls).toBe(20);
    expect(t.models[1].byDay['2026-12-07']).toBeUndefined();
    expect(t.totalUsd).toBe(4.5);
  });
  it('has no cost per call without calls', () => {
    expect(costTable([row('m', 'd', 0, 0)]).models[0].usdPer1000Calls).toBeNull();
    expect(costTable([]).models).toEqual([]);
  });
  it('writes small amounts with three digits', () => {
    expect(usd(12.345)).toBe('$12.35');
    expect(usd(0.000123456)).toBe('$0.000123');
    expect(usd(null)).toBe('–');
  });
});
