import { describe as stats, quantile } from './stats';

test('mean, median, sample sigma and interpolated percentiles; nulls ignored', () => {
  const d = stats([1, 2, null, 3, 4, 5]);
  expect(d.n).toBe(5);
  expect(d.mean).toBe(3);
  expect(d.median).toBe(3);
  expect(d.sigma).toBeCloseTo(Math.sqrt(2.5), 12);
  expect(d.p95).toBeCloseTo(4.8, 12);
  expect(d.p99).toBeCloseTo(4.96, 12);
});

test('no values gives nulls, one value no sigma', () => {
  expect(stats([]).mean).toBeNull();
  expect(stats([7]).sigma).toBeNull();
  expect(quantile([], 0.5)).toBeNull();
});
