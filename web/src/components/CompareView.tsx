// Two or more sources side by side on one time axis for one metric, with a summary table (each
// series' statistics of its window, its control limits now, its violations).
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import type { ApiClient } from '../api/client';
import type { Metric, SeriesInfo, SourceKey, SpcView } from '../api/types';
import { firingsByRule } from '../lib/chart_data';
import { describe, fromSummary } from '../lib/stats';
import { formatValue, metricInfo } from '../lib/metrics';
import { sourceId, sourceLabel, sourceOf } from '../lib/series_key';
import { displayPoints, type Span } from '../lib/window';

const COLOURS = ['#56B4E9', '#E69F00', '#CC79A7', '#F0E442', '#009E73', '#FFFFFF'];

interface Props {
  api: ApiClient;
  series: SeriesInfo[];
  metric: Metric;
  span: Span;
  onError: (e: Error) => void;
}

export function CompareView({ api, series, metric, span, onError }: Props) {
  const sources = new Map<string, SourceKey>();
  for (const s of series) sources.set(sourceId(s), sourceOf(s));
  const [chosen, setChosen] = useState<SourceKey[]>(() => [...sources.values()].slice(0, 2));
  const [views, setViews] = useState<{ source: SourceKey; view: SpcView }[]>([]);
  const host = useRef<HTMLDivElement>(null);
  const m = metric === 'error' ? 'e2e_ms' : metric;
  const info = metricInfo(m);

  useEffect(() => {
    let stop = false;
    const points = displayPoints((host.current?.clientWidth || window.innerWidth) * devicePixelRatio);
    Promise.all(chosen.map((s) => api.spc(s, m, span, points).then((view) => ({ source: s, view }))))
      .then((v) => !stop && setViews(v))
      .catch((e: Error) => !stop && onError(e));
    return () => {
      stop = true;
    };
  }, [api, chosen, m, span, onError]);

  useEffect(() => {
    const el = host.current;
    if (!el || views.length === 0 || !document.createElement('canvas').getContext?.('2d')) return;
    const tables = views.map(({ view }) => [view.time_ms.map((t) => t / 1000), view.values] as uPlot.AlignedData);
    const data = uPlot.join(tables);
    const u = new uPlot(
      {
        width: Math.max(300, el.clientWidth || 800),
        height: 320,
        scales: { x: { time: true } },
        axes: [{ stroke: '#aab', grid: { stroke: '#2a313b' } }, { stroke: '#aab', grid: { stroke: '#2a313b' }, size: 70 }],
        series: [{}, ...views.map((v, i) => ({ label: sourceLabel(v.source), stroke: COLOURS[i % COLOURS.length], width: 1, spanGaps: true }))],
      },
      data,
      el,
    );
    return () => u.destroy();
  }, [views]);

  return (
    <section className="card compare" aria-label="comparison">
      <h2>Compare · {info.label}</h2>
      <div className="compare-pick">
        {[...sources.entries()].map(([id, s]) => (
          <label key={id}>
            <input
              type="checkbox"
              checked={chosen.some((c) => sourceId(c) === id)}
              onChange={(e) => setChosen(e.target.checked ? [...chosen, s] : chosen.filter((c) => sourceId(c) !== id))}
            />
            {sourceLabel(s)}
          </label>
        ))}
      </div>
      {chosen.length < 2 ? <p className="muted">Pick two or more series.</p> : null}
      <div ref={host} className="chart" data-testid="compare-chart" />
      <div className="table-scroll">
        <table className="compare-summary">
          <thead>
            <tr>
              <th>series</th>
              <th>state</th>
              <th>n</th>
              <th>mean</th>
              <th>median</th>
              <th>σ</th>
              <th>p95</th>
              <th>p99</th>
              <th>LCL</th>
              <th>CL</th>
              <th>UCL</th>
              <th>violations</th>
            </tr>
          </thead>
          <tbody>
            {views.map(({ source, view }, i) => {
              const d = view.downsampled ? fromSummary(view.summary) : describe(view.values);
              const f = (v: number | null) => formatValue(v, info.digits, info.unit);
              const total = Object.values(firingsByRule(view.summary)).reduce((a, b) => a + b, 0);
              return (
                <tr key={sourceId(source)}>
                  <td style={{ color: COLOURS[i % COLOURS.length] }}>{sourceLabel(source)}</td>
                  <td>{view.chart.state}</td>
                  <td>{d.n}</td>
                  <td>{f(d.mean)}</td>
                  <td>{f(d.median)}</td>
                  <td>{f(d.sigma)}</td>
                  <td>{f(d.p95)}</td>
                  <td>{f(d.p99)}</td>
                  <td>{f(view.limits?.lcl ?? null)}</td>
                  <td>{f(view.limits?.cl ?? null)}</td>
                  <td>{f(view.limits?.ucl ?? null)}</td>
                  <td>{total}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
