// The Cost view's chart: each day's spend as a bar stacked by model (lib/cost_chart.ts), days in
// UTC as GET /api/cost groups them. The legend (uPlot's, which writes names as text) gives each
// layer's own spend on the day under the cursor. Not drawn where there is no canvas (jsdom).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { stackedSpend } from '../lib/cost_chart';
import { usd, type CostTable } from '../lib/cost_table';

const COLOURS = ['#56B4E9', '#E69F00', '#CC79A7', '#009E73', '#F0E442', '#D55E00'];
const DAY_S = 86400;
const LABEL_PX = 90; // room for one day's label on the x axis

const dayText = (s: number) => new Date(s * 1000).toISOString().slice(0, 10);

export function CostChart({ table }: { table: CostTable }) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = host.current;
    if (!el || table.days.length === 0 || !document.createElement('canvas').getContext?.('2d')) return;
    const stack = stackedSpend(table);
    // Drawn top layer first, each bar from 0 to its stack's top, so the lower layers paint over
    // the upper ones' lower part.
    const drawn = [...stack.layers].reverse();
    const bars = uPlot.paths.bars?.({ size: [0.7, 80] });
    const width = Math.max(300, el.clientWidth || 800);
    // Each day's label, or every n-th day's where they would not fit.
    const every = Math.ceil(stack.days.length / Math.max(1, Math.floor(width / LABEL_PX)));
    const u = new uPlot(
      {
        width,
        height: 220,
        scales: {
          x: { time: false, range: () => [stack.days[0] - DAY_S / 2, stack.days[stack.days.length - 1] + DAY_S / 2] },
          y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        axes: [
          {
            stroke: '#aab',
            grid: { show: false },
            splits: () => stack.days.filter((_d, i) => i % every === 0),
            values: (_u, splits) => splits.map(dayText),
          },
          { stroke: '#aab', grid: { stroke: '#2a313b' }, size: 70, values: (_u, ticks) => ticks.map((t) => usd(t)) },
        ],
        series: [
          { label: 'day', value: (_u, v) => (v == null ? '' : dayText(v)) },
          ...drawn.map((l) => {
            const colour = COLOURS[stack.layers.indexOf(l) % COLOURS.length];
            return {
              label: l.label,
              stroke: colour,
              fill: colour,
              width: 0,
              paths: bars,
              points: { show: false },
              value: (_u: uPlot, _v: number | null, _s: number, i: number | null) => (i == null ? '' : usd(l.own[i])),
            };
          }),
        ],
      },
      [stack.days, ...drawn.map((l) => l.top)],
      el,
    );
    return () => u.destroy();
  }, [table]);

  return <div ref={host} className="chart cost-chart" data-testid="cost-chart" role="img" aria-label="spend per day, stacked by model" />;
}
