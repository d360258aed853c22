// One violation: its severity, when it began and (for the change detectors SHIFT, JUMP, ERRORS,
// whose first time is an estimated onset) when it was detected, the ±10 points around it on a
// small chart with the limits of the time, the telemetry snapshot, the violating sample (its
// Ollama durations, token counts and prompt hash), alert deliveries when the server reports
// them, and the workflow buttons.
import { useEffect, useMemo, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { Violation } from '../api/types';
import type { ChartModel } from '../lib/chart_data';
import { formatTime, formatValue, metricInfo, TELEMETRY_FIELDS } from '../lib/metrics';
import { formatDuration } from '../lib/alerting';
import { ONSET_RULES, ruleStyle } from '../lib/rules';
import { sourceLabel } from '../lib/series_key';
import { violatingSampleId } from '../lib/violation_sample';
import { ControlChart } from './ControlChart';
import { SampleSection } from './SampleSection';
import { SeverityBadge } from './SeverityBadge';

export function contextModel(v: Violation): ChartModel {
  const pts = v.context?.points ?? [];
  const x = pts.map((p) => p.time_ms / 1000);
  return {
    x,
    y: pts.map((p) => p.value),
    ids: pts.map((p) => p.sample_id),
    telemetry: {
      cpu: pts.map((p) => p.telemetry.cpu_percent),
      memory: pts.map((p) => p.telemetry.memory_percent),
      gpu: pts.map((p) => p.telemetry.gpu_percent),
    },
    segments: x.length ? [{ from: x[0], limits: v.limits }] : [],
    stageStarts: [],
    markers: pts
      .filter((p) => p.index >= v.first_index && p.index <= v.last_index)
      .map((p) => ({ x: p.time_ms / 1000, y: p.value, rule: v.rule, ...(v.severity ? { severity: v.severity } : {}) })),
    provisional: false,
    zones: true,
  };
}

// When it happened. A change detector dates the change back: its first time is the estimated
// onset, which can be minutes before it was detected; a Nelson rule fires at the point itself.
function WhenLine({ v }: { v: Violation }) {
  const tail = ` · ${v.count} point(s) · stage ${v.stage} · ${v.phase}`;
  const detected = v.detected_time_ms;
  if (ONSET_RULES.has(v.rule) && detected !== undefined) {
    const lag = (detected - v.first_time_ms) / 1000;
    return (
      <p className="muted" data-testid="modal-when">
        estimated onset {formatTime(v.first_time_ms)} · detected {formatTime(detected)}
        {lag > 0 ? ` (${formatDuration(lag)} after the onset)` : ''} · last {formatTime(v.last_time_ms)}
        {tail}. The onset is the detector's estimate of when the change began, not when it was seen.
      </p>
    );
  }
  return (
    <p className="muted" data-testid="modal-when">
      {formatTime(v.first_time_ms)} – {formatTime(v.last_time_ms)}
      {tail}
    </p>
  );
}

interface Props {
  api: ApiClient;
  id: number;
  onLoaded?: (v: Violation) => void; // once, when it has been fetched
  onClose: () => void;
  onChanged: (v: Violation) => void;
}

export function ViolationModal({ api, id, onLoaded, onClose, onChanged }: Props) {
  const [v, setV] = useState<Violation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.violation(id).then(
      (loaded) => {
        setV(loaded);
        onLoaded?.(loaded);
      },
      (e: Error) => setError(e.message),
    );
  }, [api, id, onLoaded]);
  useEffect(() => {
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', esc);
    return () => window.removeEventListener('keydown', esc);
  }, [onClose]);
  const model = useMemo(() => (v ? contextModel(v) : null), [v]);

  const act = async (action: 'acknowledge' | 'resolve') => {
    setBusy(true);
    try {
      const updated = await api.setStatus(id, action);
      setV((old) => (old ? { ...old, ...updated, context: old.context } : updated));
      onChanged(updated);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const info = v ? metricInfo(v.metric) : null;
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal card" role="dialog" aria-modal="true" aria-label="violation" onClick={(e) => e.stopPropagation()}>
        <button type="button" className="close" onClick={onClose} aria-label="close">
          ×
        </button>
        {error ? <p className="alert">{error}</p> : null}
        {!v || !info || !model ? (
          <p>Loading…</p>
        ) : (
          <>
            <h2>
              <SeverityBadge severity={v.severity} />{' '}
              <span style={{ color: ruleStyle(v.rule).colour }}>{v.rule}</span> on {sourceLabel(v.series)} · {info.label}
            </h2>
            <p>{v.meaning}</p>
            <WhenLine v={v} />
            <ControlChart model={model} height={220} unit={info.unit} digits={info.digits} label={info.label} testId="context-chart" />
            <div className="modal-grid">
              <div>
                <h3>At the time</h3>
                <dl className="kv">
                  <dt>severity</dt>
                  <dd data-testid="modal-severity">{v.severity ?? '—'}</dd>
                  <dt>detected</dt>
                  <dd data-testid="modal-detected">{formatTime(v.detected_time_ms ?? v.first_time_ms)}</dd>
                  <dt>value</dt>
                  <dd>{formatValue(v.value, info.digits, info.unit)}</dd>
                  <dt>worst</dt>
                  <dd>{formatValue(v.worst_value, info.digits, info.unit)}</dd>
                  <dt>deviation</dt>
                  <dd>{formatValue(v.deviation_sigma, 2, 'σ')}</dd>
                  <dt>CL</dt>
                  <dd>{formatValue(v.limits.cl, info.digits, info.unit)}</dd>
                  <dt>UCL</dt>
                  <dd>{formatValue(v.limits.ucl, info.digits, info.unit)}</dd>
                  <dt>LCL</dt>
                  <dd>{formatValue(v.limits.lcl, info.digits, info.unit)}</dd>
                </dl>
              </div>
              <div>
                <h3>Telemetry</h3>
                <dl className="kv">
                  {TELEMETRY_FIELDS.map((f) => (
                    <div key={f.key} className="kv-row">
                      <dt>{f.label}</dt>
                      <dd>{formatValue(v.context?.telemetry?.[f.key] ?? null, 0, f.unit)}</dd>
                    </div>
                  ))}
                </dl>
              </div>
            </div>
            <SampleSection api={api} id={violatingSampleId(v)} />
            {v.deliveries && v.deliveries.length > 0 ? (
              <div className="deliveries">
                <h3>Alert deliveries</h3>
                <table>
                  <thead>
                    <tr>
                      <th>sink</th>
                      <th>kind</th>
                      <th>state</th>
                      <th>attempts</th>
                      <th>delivered</th>
                      <th>last error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {v.deliveries.map((d, i) => (
                      <tr key={d.sink + i}>
                        <td>{d.sink}</td>
                        <td>{d.kind ?? ''}</td>
                        <td>{d.state}</td>
                        <td>{d.attempts ?? ''}</td>
                        <td>{d.delivered_ms ? formatTime(d.delivered_ms) : ''}</td>
                        <td>{d.last_error ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
            <div className="actions">
              <span>
                status: <b data-testid="modal-status">{v.status}</b>
                {v.status_by ? <span className="muted"> by {v.status_by}</span> : null}
              </span>
              <button type="button" disabled={busy || v.status !== 'open'} onClick={() => act('acknowledge')}>
                Acknowledge
              </button>
              <button type="button" disabled={busy || v.status === 'resolved'} onClick={() => act('resolve')}>
                Resolve
              </button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
