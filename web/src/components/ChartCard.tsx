// The shown series' chart: its name and state, New stage (re-baseline, after a confirmation), the
// metric switch, what the limits are computed from, the control chart, the alert detector's
// figures and the rule legend.
import { useState, type Ref } from 'react';
import type { Metric, SeriesInfo, SourceKey } from '../api/types';
import type { XRange } from '../hooks/useZoomDetail';
import type { LoadedChart } from '../lib/live_state';
import { METRICS, metricInfo } from '../lib/metrics';
import { sourceLabel } from '../lib/series_key';
import { AlertingPanel } from './AlertingPanel';
import { ConfirmDialog } from './ConfirmDialog';
import { ControlChart, type ControlChartHandle } from './ControlChart';
import { RuleLegend } from './RuleLegend';
import { StatusMark } from './StatusMark';

interface Props {
  source: SourceKey | null;
  series: SeriesInfo | undefined; // the shown series as the list has it
  metric: Metric;
  onMetric: (m: Metric) => void;
  chart: LoadedChart | null;
  chartRef: Ref<ControlChartHandle>;
  onHover: (index: number | null) => void;
  onOpenViolation: (id: number) => void;
  onZoom: (range: XRange | null) => void;
  onNewStage: () => void;
}

export function ChartCard(p: Props) {
  const { source, series, metric, onMetric, chart, chartRef, onHover, onOpenViolation, onNewStage } = p;
  const [confirming, setConfirming] = useState(false);
  const info = metricInfo(metric);
  return (
    <section className="card chart-card" aria-label="control chart">
      <div className="chart-head">
        <h2>{source ? sourceLabel(source) : 'No series yet'}</h2>
        {series ? <StatusMark state={series.state} /> : null}
        <button
          type="button"
          className="danger"
          disabled={!source}
          onClick={() => setConfirming(true)}
          title="re-baseline: the next points form new limits"
        >
          New stage
        </button>
      </div>
      <div className="segmented metric-switch" role="group" aria-label="metric">
        {METRICS.map((m) => (
          <button
            type="button"
            key={m.metric}
            className={metric === m.metric ? 'active' : ''}
            aria-pressed={metric === m.metric}
            onClick={() => onMetric(m.metric)}
          >
            {m.label}
          </button>
        ))}
      </div>
      {chart ? (
        <>
          <p className="muted note">{chart.note}</p>
          <ControlChart
            key={chart.load}
            ref={chartRef}
            model={chart.model}
            unit={info.unit}
            digits={info.digits}
            label={info.label}
            onHover={onHover}
            onMarkerClick={onOpenViolation}
            onZoom={p.onZoom}
          />
        </>
      ) : (
        <p className="muted">{source ? 'Loading…' : 'Waiting for the first samples.'}</p>
      )}
      <AlertingPanel alerting={series?.alerting} metric={metric} />
      {chart ? <RuleLegend counts={chart.byRule} /> : null}
      {confirming && source ? (
        <ConfirmDialog
          title="Start a new stage?"
          text={`${sourceLabel(source)} · ${info.label}: the limits are dropped and the next points form a new baseline. Violations so far stay in the log.`}
          confirm="Start new stage"
          onConfirm={() => {
            setConfirming(false);
            onNewStage();
          }}
          onCancel={() => setConfirming(false)}
        />
      ) : null}
    </section>
  );
}
