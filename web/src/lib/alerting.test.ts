import type { Alerting } from '../api/types';
import { baselineText, budgetText, degradedText, delayText, formatDuration, learningText, short, statisticGauge } from './alerting';
import { matchesSeverity } from './severity';
import { learntAlerting } from '../test/alerting_fixture';

const LEARNT: Alerting = learntAlerting();

test('figures read as a person says them', () => {
  expect(short(0.02)).toBe('0.02');
  expect(short(1)).toBe('1');
  expect(short(3.14159)).toBe('3.1');
  expect(short(12.34)).toBe('12.3');
  expect(formatDuration(45)).toBe('45 s');
  expect(formatDuration(95)).toBe('1.6 min');
  expect(formatDuration(3 * 3600)).toBe('3.0 h');
});

test('a learnt shift detector says its budget, delay, baseline and where its statistic stands', () => {
  expect(budgetText(LEARNT)).toBe('Alert budget: 1 false alert / 30 days · expected 0.02 at current settings');
  expect(delayText(LEARNT)).toBe('A ×1.2 shift is alerted in about 1.6 min');
  expect(baselineText(LEARNT, 'e2e_ms')).toBe('Baseline level: 812 ms');
  expect(learningText(LEARNT)).toBeNull();
  const g = statisticGauge(LEARNT)!;
  expect(g.level).toBe('below');
  expect(g.text).toBe('CUSUM 1.3: below the early-warning level (early warning at 2.9, alert at 4.2)');
  expect(statisticGauge({ ...LEARNT, statistic: 3 })!.level).toBe('early-warning');
  expect(statisticGauge({ ...LEARNT, statistic: 5 })!.level).toBe('alert');
  expect(statisticGauge({ ...LEARNT, statistic: 9 })!.fill).toBe(100);
  expect(g.thresholdAt).toBe(80);
});

test('while learning the unknown figures say so; the errors detector speaks of calls and shares', () => {
  const learning: Alerting = {
    ...LEARNT,
    learning: true,
    learning_progress: 12,
    expected_false_alerts_per_30d: null,
    detection_delay_s: null,
    statistic: null,
  };
  expect(learningText(learning)).toBe('learning 12/40 subgroups');
  expect(budgetText(learning)).toBe('Alert budget: 1 false alert / 30 days · expected rate known once learnt');
  expect(delayText(learning)).toBe('A ×1.2 shift: detection delay known once learnt');
  expect(statisticGauge(learning)).toBeNull();
  const errors: Alerting = { ...LEARNT, detector: 'errors', detection_target: '+5% errors', baseline: 0.02, learning: true, learning_progress: 120, learning_needed: 500 };
  expect(learningText(errors)).toBe('learning 120/500 calls');
  expect(baselineText(errors, 'error')).toBe('Baseline level: 2.0 % errors');
  expect(delayText(errors)).toBe('A rise of the error rate (+5% errors) is alerted in about 1.6 min');
  expect(budgetText({ ...LEARNT, budget_per_30d: 2 })).toMatch(/^Alert budget: 2 false alerts \/ 30 days/);
});

test('an expected count below a thousandth reads as "< 0.001", not as 3.6e-9', () => {
  const quiet: Alerting = { ...LEARNT, expected_false_alerts_per_30d: 3.6e-9, expected_degraded_per_30d: 3.2e-7 };
  expect(budgetText(quiet)).toBe('Alert budget: 1 false alert / 30 days · expected < 0.001 at current settings');
  expect(degradedText(quiet)).toBe('Early warning (degraded): < 0.001 / 30 days on healthy data');
  expect(degradedText({ ...LEARNT, expected_degraded_per_30d: 3.14 })).toBe('Early warning (degraded): about 3.1 / 30 days on healthy data');
  expect(budgetText({ ...LEARNT, expected_false_alerts_per_30d: 0 })).toBe('Alert budget: 1 false alert / 30 days · expected 0 at current settings');
});

test('the severity filter passes what the server would; unclassified violations always pass', () => {
  expect(matchesSeverity({ severity: 'critical' }, 'critical,warning')).toBe(true);
  expect(matchesSeverity({ severity: 'info' }, 'critical,warning')).toBe(false);
  expect(matchesSeverity({ severity: 'info' }, 'info')).toBe(true);
  expect(matchesSeverity({ severity: 'warning' }, undefined)).toBe(true);
  expect(matchesSeverity({}, 'critical,warning')).toBe(true);
});
