import type { Limits } from '../api/types';
import { limitLabels, limitsAt, spreadApart } from './limit_labels';

const L = (cl: number): Limits => ({ cl, ucl: cl + 3, lcl: cl - 3, upper_2s: null, lower_2s: null, upper_1s: null, lower_1s: null });

test('the labels name the limits in force at the edge, top to bottom', () => {
  const segments = [{ from: 10, limits: L(100) }, { from: 50, limits: L(200) }];
  expect(limitsAt(segments, 40)).toEqual(L(100));
  expect(limitsAt(segments, 60)).toEqual(L(200));
  expect(limitsAt(segments, 5)).toEqual(L(100)); // before the first stage: its limits
  expect(limitsAt([], 5)).toBeNull();
  expect(limitLabels(L(200))).toEqual([
    { name: 'UCL', value: 203 },
    { name: 'CL', value: 200 },
    { name: 'LCL', value: 197 },
  ]);
  expect(limitLabels({ ...L(1), lcl: null })).toEqual([{ name: 'UCL', value: 4 }, { name: 'CL', value: 1 }]); // no LCL (a p-chart near 0)
  expect(limitLabels(null)).toEqual([]);
});

test('labels of close lines move apart; far ones stay at their lines', () => {
  expect(spreadApart([10, 100, 190], 14, 0, 300)).toEqual([10, 100, 190]);
  expect(spreadApart([10, 15, 20], 14, 0, 300)).toEqual([10, 24, 38]);
  expect(spreadApart([280, 285, 290], 14, 0, 300)).toEqual([272, 286, 300]); // at the bottom: moved up
  expect(spreadApart([-5, 2, 100], 14, 12, 300)).toEqual([12, 26, 100]); // at the top: moved down
  expect(spreadApart([], 14, 0, 300)).toEqual([]);
});
