// The selected series' alert detector in words: what it watches, its false-alert budget and the
// rate expected at its current settings, how soon it alerts a given change, its learning
// progress, where its statistic stands against the early-warning and alert levels, and the
// baseline level it learnt. From the `alerting` object of GET /api/series; nothing is shown for
// a series without one (no detector, or a server from before the alerting layer).
import type { Alerting, Metric } from '../api/types';
import {
  baselineText,
  budgetText,
  degradedText,
  delayText,
  detectorText,
  learningText,
  statisticGauge,
} from '../lib/alerting';

export function AlertingPanel({ alerting, metric }: { alerting?: Alerting | null; metric: Metric }) {
  if (!alerting) return null;
  const a = alerting;
  const learning = learningText(a);
  const budget = budgetText(a);
  const degraded = degradedText(a);
  const baseline = baselineText(a, metric);
  const gauge = statisticGauge(a);
  return (
    <section className="alerting" aria-label="alerting">
      <h3>
        Alerting <span className="muted">· {detectorText(a)}</span>
      </h3>
      {learning ? (
        <p className="alerting-learning" data-testid="alerting-learning">
          <span aria-hidden="true">◐</span> {learning}{' '}
          <progress max={Math.max(1, a.learning_needed)} value={Math.min(a.learning_progress, a.learning_needed)} aria-label="detector learning" />
        </p>
      ) : null}
      <ul className="alerting-facts">
        {budget ? <li data-testid="alert-budget">{budget}</li> : null}
        <li data-testid="alert-delay">{delayText(a)}</li>
        {degraded ? <li>{degraded}</li> : null}
        {baseline ? <li data-testid="alert-baseline">{baseline}</li> : null}
        {a.detector === 'shift' && a.interval_s ? (
          <li className="muted">
            a point every {a.interval_s.toFixed(1)} s
            {a.subgroup_size ? `; a subgroup every ${(a.interval_s * a.subgroup_size).toFixed(0)} s` : ''}
          </li>
        ) : null}
      </ul>
      {gauge ? (
        <div className={`gauge gauge-${gauge.level}`} data-testid="alert-statistic">
          <div className="gauge-track" role="img" aria-label={gauge.text}>
            <div className="gauge-fill" style={{ width: `${gauge.fill}%` }} />
            {gauge.degradedAt !== null ? (
              <div className="gauge-tick gauge-tick-degraded" style={{ left: `${gauge.degradedAt}%` }} title="early-warning level" />
            ) : null}
            <div className="gauge-tick gauge-tick-alert" style={{ left: `${gauge.thresholdAt}%` }} title="alert level" />
          </div>
          <span className="gauge-text">{gauge.text}</span>
        </div>
      ) : null}
    </section>
  );
}
