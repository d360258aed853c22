// A learnt shift detector's `alerting` object as GET /api/series gives it, for the tests.
import type { Alerting } from '../api/types';

export function learntAlerting(overrides: Partial<Alerting> = {}): Alerting {
  return {
    detector: 'shift',
    direction: 'up',
    learning: false,
    learning_progress: 40,
    learning_needed: 40,
    subgroup_size: 15,
    interval_s: 2,
    budget_per_30d: 1,
    expected_false_alerts_per_30d: 0.02,
    expected_degraded_per_30d: 3.1,
    detection_delay_s: 95,
    detection_target: '×1.2',
    statistic: 1.3,
    threshold: 4.2,
    degraded_threshold: 2.9,
    baseline: 812,
    ...overrides,
  };
}
