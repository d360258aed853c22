import { describe, expect, it } from 'vitest';
import { listOf, testOutcomeText, type Delivery } from './alert_settings';

const delivery = (d: Partial<Delivery>): Delivery => ({
  key: 'test/hook/1',
  sink: 'hook',
  state: 'pending',
  attempts: 0,
  last_error: null,
  delivered: null,
  ...d,
});

describe('testOutcomeText', () => {
  it('says delivered, failed with the error, or still trying with the last error', () => {
    expect(testOutcomeText(delivery({ state: 'delivered', attempts: 1 }))).toBe('Delivered');
    expect(testOutcomeText(delivery({ state: 'failed', attempts: 1, last_error: 'HTTP 404: not found' }))).toBe(
      'Failed: HTTP 404: not found',
    );
    expect(testOutcomeText(delivery({ attempts: 2, last_error: 'refused: connection refused' }))).toBe(
      'Not delivered yet (attempt 2): refused: connection refused',
    );
    expect(testOutcomeText(delivery({}))).toBe('Sending…');
  });
});

describe('listOf', () => {
  it('splits a comma list and drops empty parts', () => {
    expect(listOf(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
    expect(listOf('')).toEqual([]);
  });
});
