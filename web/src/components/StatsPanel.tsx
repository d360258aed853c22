// The statistics of the points on screen (or, when the chart lists display points only, the
// server's of the whole window), the control limits in force, capability against the series'
// SLO (stored on the server when edited here, useStoredSlo),
// violations per rule.
import { Fragment, memo, useMemo } from 'react';
import type { Capability, Limits, Metric, Slo } from '../api/types';
import { limitLabels } from '../lib/limit_labels';
import { describe, type Descriptive } from '../lib/stats';
import { formatValue, metricInfo } from '../lib/metrics';
import { RULES } from '../lib/rules';

interface Props {
  values: (number | null)[];
  windowStats: Descriptive | null; // the window's, when `values` are display points only
  limits: Limits | null; // in force at the newest point
  metric: Metric;
  capability: Capability | null;
  byRule: Record<string, number>; // every monitoring-phase violation of the window
  marksTruncated: boolean;
  slo: Slo;
  onSlo: (slo: Slo) => void;
  sloLoads?: number; // the SLO was loaded from the server this many times (the editor shows it anew)
}

function num(text: string): number | undefined {
  const v = Number(text);
  return text.trim() === '' || !Number.isFinite(v) ? undefined : v;
}

// Memoized: the page re-renders on every cursor move, and sorting a day of points each time would
// make the cursor lag. Live points come as a new array.
export const StatsPanel = memo(function StatsPanel(p: Props) {
  const d = useMemo(() => p.windowStats ?? describe(p.values), [p.windowStats, p.values]);
  const info = metricInfo(p.metric);
  const f = (v: number | null) => formatValue(v, info.digits, info.unit);
  // Percentiles from hourly sketches (a long window): marked approximate, with their bound.
  const approx = d.percentileError !== undefined && d.percentileError > 0;
  const q = (v: number | null) =>
    approx && v !== null ? <span title={`within ${d.percentileError! * 100} % of the exact value`}>≈ {f(v)}</span> : f(v);
  const c = p.capability;
  return (
    <section className="card stats" aria-label="statistics">
      <h2>Statistics</h2>
      <dl className="kv">
        <dt>n</dt>
        <dd data-testid="stat-n">{d.n}</dd>
        <dt>mean</dt>
        <dd>{f(d.mean)}</dd>
        <dt>median</dt>
        <dd>{q(d.median)}</dd>
        <dt>σ</dt>
        <dd>{f(d.sigma)}</dd>
        <dt>p50</dt>
        <dd>{q(d.p50)}</dd>
        <dt>p95</dt>
        <dd data-testid="stat-p95">{q(d.p95)}</dd>
        <dt>p99</dt>
        <dd>{q(d.p99)}</dd>
        {limitLabels(p.limits).map((l) => (
          <Fragment key={l.name}>
            <dt>{l.name}</dt>
            <dd data-testid={`stat-${l.name.toLowerCase()}`}>{f(l.value)}</dd>
          </Fragment>
        ))}
      </dl>
      {p.windowStats ? (
        <p className="muted" data-testid="window-stats">
          of every point of the window, as the server counted them when the chart was fetched (the chart shows display
          points){approx ? `; percentiles from hourly sketches, within ${d.percentileError! * 100} %` : ''}
        </p>
      ) : null}
      {p.metric !== 'error' ? (
        // Keyed by the loads, so that the inputs show the stored SLO once it is loaded.
        <form className="slo" key={p.sloLoads ?? 0} onSubmit={(e) => e.preventDefault()}>
          <label>
            SLO upper
            <input
              inputMode="decimal"
              defaultValue={p.slo.usl ?? ''}
              onBlur={(e) => p.onSlo({ ...p.slo, usl: num(e.target.value) })}
              aria-label="upper spec limit"
            />
          </label>
          <label>
            lower
            <input
              inputMode="decimal"
              defaultValue={p.slo.lsl ?? ''}
              onBlur={(e) => p.onSlo({ ...p.slo, lsl: num(e.target.value) })}
              aria-label="lower spec limit"
            />
          </label>
        </form>
      ) : null}
      {c ? (
        <dl className="kv capability">
          <dt>Cp</dt>
          <dd data-testid="stat-cp">{formatValue(c.cp, 2)}</dd>
          <dt>Cpk</dt>
          <dd data-testid="stat-cpk">{formatValue(c.cpk, 2)}</dd>
          <dt>Pp</dt>
          <dd>{formatValue(c.pp, 2)}</dd>
          <dt>Ppk</dt>
          <dd>{formatValue(c.ppk, 2)}</dd>
        </dl>
      ) : (
        p.metric !== 'error' && <p className="muted">Set an SLO for Cp/Cpk/Pp/Ppk.</p>
      )}
      <h3>Violations per rule</h3>
      <ul className="by-rule">
        {RULES.map((r) => (
          <li key={r.rule}>
            {r.rule}: <b>{p.byRule[r.rule] ?? 0}</b>
          </li>
        ))}
      </ul>
      {p.marksTruncated ? (
        <p className="muted" data-testid="marks-truncated">
          The chart marks 20,000 of this window's violations (the server's limit; zoom in to see the
          others); the counts above are all of them.
        </p>
      ) : null}
    </section>
  );
});
