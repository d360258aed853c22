// The violation log: time, series, severity, rule, value, deviation in σ, status; filters by
// severity (alerts, the default: critical and warning; all; or info only), status, rule, metric
// and name; live events merged in; a row click opens the violation.
import { memo, useEffect, useState } from 'react';
import type { ApiClient, ViolationFilter } from '../api/client';
import type { Violation, ViolationStatus } from '../api/types';
import { formatTime, formatValue, METRICS, metricInfo } from '../lib/metrics';
import { violationsSince, type IncomingViolations } from '../lib/live_state';
import { ONSET_RULES, RULES, ruleStyle } from '../lib/rules';
import { sourceLabel } from '../lib/series_key';
import { ALERTS, matchesSeverity, SEVERITY_CHOICES } from '../lib/severity';
import { SeverityBadge } from './SeverityBadge';

interface Props {
  api: ApiClient;
  incoming: IncomingViolations;
  onOpen: (id: number) => void;
  onFilter: (f: ViolationFilter) => void;
  onError: (e: Error) => void;
}

export function matchesFilter(v: Violation, f: ViolationFilter, text: string): boolean {
  if (f.status && v.status !== f.status) return false;
  if (!matchesSeverity(v, f.severity)) return false;
  if (f.rule && v.rule !== f.rule) return false;
  if (f.metric && v.metric !== f.metric) return false;
  if (text && !sourceLabel(v.series).toLowerCase().includes(text.toLowerCase())) return false;
  return true;
}

// For a change detector (SHIFT, JUMP, ERRORS) the time shown is the estimated onset: says when
// it was detected.
function onsetNote(v: Violation): string | undefined {
  if (!ONSET_RULES.has(v.rule) || v.detected_time_ms === undefined) return undefined;
  return `estimated onset; detected ${formatTime(v.detected_time_ms)}`;
}

export function mergeViolation(list: Violation[], v: Violation): Violation[] {
  const i = list.findIndex((x) => x.id === v.id);
  if (i < 0) return [v, ...list];
  const out = [...list];
  out[i] = { ...list[i], ...v };
  return out;
}

export const ViolationLog = memo(function ViolationLog({ api, incoming, onOpen, onFilter, onError }: Props) {
  const [filter, setFilter] = useState<ViolationFilter>({ limit: 500, severity: ALERTS });
  const [text, setText] = useState('');
  const [list, setList] = useState<Violation[]>([]);
  const [loading, setLoading] = useState(true);
  const [mergedSeq, setMergedSeq] = useState(incoming.seq);

  useEffect(() => {
    let stop = false;
    setLoading(true);
    api
      .violations(filter)
      .then((r) => !stop && setList(r.violations))
      .catch((e: Error) => !stop && onError(e))
      .finally(() => !stop && setLoading(false));
    onFilter(filter);
    return () => {
      stop = true;
    };
  }, [api, filter, onFilter, onError]);

  // Live events (and changes made in the modal) are merged once, when they come: a known
  // violation is updated, a new one added when it passes the filter.
  if (incoming.seq !== mergedSeq) {
    setMergedSeq(incoming.seq);
    const fresh = violationsSince(incoming, mergedSeq);
    const merge = (l: Violation[], v: Violation) => (l.some((x) => x.id === v.id) || matchesFilter(v, filter, '') ? mergeViolation(l, v) : l);
    if (fresh.length > 0) setList((l) => fresh.reduce(merge, l));
  }

  const shown = list.filter((v) => matchesFilter(v, filter, text));
  return (
    <section className="card log" aria-label="violation log">
      <h2>Violations</h2>
      <div className="filters">
        <select
          aria-label="severity filter"
          value={filter.severity ?? ''}
          onChange={(e) => setFilter({ ...filter, severity: e.target.value || undefined })}
        >
          {SEVERITY_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        <select
          aria-label="status filter"
          value={filter.status ?? ''}
          onChange={(e) => setFilter({ ...filter, status: (e.target.value || undefined) as ViolationStatus | undefined })}
        >
          <option value="">any status</option>
          <option value="open">open</option>
          <option value="acknowledged">acknowledged</option>
          <option value="resolved">resolved</option>
        </select>
        <select
          aria-label="rule filter"
          value={filter.rule ?? ''}
          onChange={(e) => setFilter({ ...filter, rule: e.target.value || undefined })}
        >
          <option value="">any rule</option>
          {RULES.map((r) => (
            <option key={r.rule} value={r.rule}>
              {r.rule}
            </option>
          ))}
        </select>
        <select
          aria-label="metric filter"
          value={filter.metric ?? ''}
          onChange={(e) => setFilter({ ...filter, metric: (e.target.value || undefined) as ViolationFilter['metric'] })}
        >
          <option value="">any metric</option>
          {METRICS.map((m) => (
            <option key={m.metric} value={m.metric}>
              {m.label}
            </option>
          ))}
        </select>
        <input aria-label="series filter" placeholder="provider / model" value={text} onChange={(e) => setText(e.target.value)} />
      </div>
      <div className="table-scroll">
        <table className="violations">
          <thead>
            <tr>
              <th>time</th>
              <th>series</th>
              <th>severity</th>
              <th>rule</th>
              <th>value</th>
              <th>dev. σ</th>
              <th>status</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((v) => {
              const info = metricInfo(v.metric);
              const st = ruleStyle(v.rule);
              return (
                <tr key={v.id} data-violation={v.id} tabIndex={0} onClick={() => onOpen(v.id)} onKeyDown={(e) => e.key === 'Enter' && onOpen(v.id)}>
                  <td title={onsetNote(v)}>{formatTime(v.first_time_ms)}</td>
                  <td className="series-cell">
                    {sourceLabel(v.series)} · {info.label}
                  </td>
                  <td>
                    <SeverityBadge severity={v.severity} />
                  </td>
                  <td>
                    <span className="rule-tag" style={{ borderColor: st.colour }} title={v.meaning}>
                      {v.rule}
                    </span>
                    {v.phase === 'baseline' ? <span className="muted"> (baseline)</span> : null}
                  </td>
                  <td>{formatValue(v.value, info.digits, info.unit)}</td>
                  <td>{formatValue(v.deviation_sigma, 1)}</td>
                  <td>
                    <span className={`vstatus vstatus-${v.status}`}>{v.status}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {!loading && shown.length === 0 ? (
          <p className="muted">
            No violations match.
            {filter.severity === ALERTS ? ' Chart signals (info) are hidden: choose "all severities" to see them.' : ''}
          </p>
        ) : null}
      </div>
    </section>
  );
});
