// The dashboard: the key, the series, the selected chart with its panels, the violation log,
// the comparison, exports and the live stream that keeps them current.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiClient, ApiError, type ViolationFilter } from './api/client';
import { openStream, type StreamState } from './api/stream';
import type { Capability, Metric, PChartView, SeriesInfo, SourceKey, StreamSample, Violation } from './api/types';
import {
  appendSample,
  modelFromPChart,
  modelFromSpc,
  trimBefore,
  violationMarker,
  type ChartModel,
} from './lib/chart_data';
import { downloadText, downloadUrl } from './lib/download';
import { formatTime, METRICS, metricInfo } from './lib/metrics';
import { sameSource, sourceLabel, sourceOf } from './lib/series_key';
import { ALERTS, isAlert } from './lib/severity';
import { pointLimit, windowHours, type TimeWindow, type WindowPreset } from './lib/window';
import { AlertingPanel } from './components/AlertingPanel';
import { CompareView } from './components/CompareView';
import { ConfirmDialog } from './components/ConfirmDialog';
import { ControlChart, type ControlChartHandle } from './components/ControlChart';
import { KeyPrompt } from './components/KeyPrompt';
import { RuleLegend } from './components/RuleLegend';
import { Sidebar } from './components/Sidebar';
import { StatsPanel } from './components/StatsPanel';
import { StatusMark } from './components/StatusMark';
import { SystemPanel } from './components/SystemPanel';
import { ViolationLog } from './components/ViolationLog';
import { ViolationModal } from './components/ViolationModal';

export const KEY_STORAGE = 'llmscope.apiKey';
// The window preset last picked (1h, 6h, 24h, 7d), kept for the next visit.
export const WINDOW_STORAGE = 'llmscope.window';
// How often at most a live p-chart (the error rate) is fetched again while samples arrive.
export const PCHART_REFRESH_MS = 3000;

// What the server's live p-chart (the one that logs violations) says, beside the window's view.
function liveNote(live: PChartView['live']): string {
  if (!live) return '';
  if (live.state === 'learning') return ` · live chart: learning ${live.learning_calls}/${live.baseline_calls} calls`;
  const l = live.limits;
  if (!l) return '';
  if (!l.estimable) return ` · live chart (stage ${live.stage}): p̄ = ${l.p_bar}, limits not estimable: any failed subgroup fires R1`;
  return ` · live chart (stage ${live.stage}): p̄ = ${l.p_bar.toFixed(4)}, UCL ${l.ucl.toFixed(4)}, LCL ${l.lcl.toFixed(4)}`;
}

function storedPreset(): WindowPreset {
  const p = localStorage.getItem(WINDOW_STORAGE);
  return p === '6h' || p === '24h' || p === '7d' ? p : '1h';
}

interface Loaded {
  model: ChartModel;
  capability: Capability | null;
  byRule: Record<string, number>;
  note: string;
}

export function App({ base = '' }: { base?: string }) {
  const [key, setKey] = useState<string | null>(() => localStorage.getItem(KEY_STORAGE));
  const [authMessage, setAuthMessage] = useState<string | undefined>();
  const keyRef = useRef(key ?? '');
  keyRef.current = key ?? '';
  const api = useMemo(() => new ApiClient(() => keyRef.current, base), [base]);

  const [series, setSeries] = useState<SeriesInfo[]>([]);
  const [source, setSource] = useState<SourceKey | null>(null);
  const [metric, setMetric] = useState<Metric>('e2e_ms');
  const [win, setWin] = useState<TimeWindow>(() => ({ preset: storedPreset() }));
  useEffect(() => {
    if (win.preset !== 'custom') localStorage.setItem(WINDOW_STORAGE, win.preset);
  }, [win.preset]);
  const [live, setLive] = useState(true);
  const [tab, setTab] = useState<'chart' | 'compare'>('chart');
  const [slo, setSlo] = useState<{ usl?: number; lsl?: number }>({});
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [version, setVersion] = useState(0);
  const [reload, setReload] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [streamState, setStreamState] = useState<StreamState>('connecting');
  const [openId, setOpenId] = useState<number | null>(null);
  const [incoming, setIncoming] = useState<{ seq: number; violation: Violation | null }>({ seq: 0, violation: null });
  const [confirmStage, setConfirmStage] = useState(false);
  const [hover, setHover] = useState<number | null>(null);
  const logFilter = useRef<ViolationFilter>({});
  const chartRef = useRef<ControlChartHandle>(null);
  const rememberLogFilter = useCallback((f: ViolationFilter) => (logFilter.current = f), []);

  const fail = useCallback((e: unknown) => {
    if (e instanceof ApiError && e.unauthorized) {
      setAuthMessage(e.message);
      setKey(null);
      return;
    }
    setError(e instanceof Error ? e.message : String(e));
  }, []);

  const saveKey = (k: string) => {
    localStorage.setItem(KEY_STORAGE, k);
    setAuthMessage(undefined);
    setError(null);
    setKey(k);
  };

  // The series list: at start, then every 15 s (states change with violations).
  const loadSeries = useCallback(() => {
    api.series().then((r) => {
      setSeries(r.series);
      setSource((cur) => cur ?? (r.series[0] ? sourceOf(r.series[0]) : null));
    }, fail);
  }, [api, fail]);
  useEffect(() => {
    if (!key) return;
    loadSeries();
    const t = setInterval(loadSeries, 15000);
    return () => clearInterval(t);
  }, [key, loadSeries]);

  // Computed when the window is picked (not per render: a custom window counts back from now).
  const { hours, untilMs } = useMemo(() => windowHours(win, Date.now()), [win]);

  // The chart's data: fetched when the series, metric, window or SLO change.
  useEffect(() => {
    if (!key || !source) return;
    let stop = false;
    performance.clearMarks('llmscope:data-requested');
    performance.mark('llmscope:data-requested');
    // The p-chart is computed over the window; the error rate's logged alerts (ERRORS) come from
    // the violation log (an older server without severities sends none that count).
    const errorAlerts = () =>
      api
        .violations({ provider: source.provider, model: source.model, metric: 'error', hours, severity: ALERTS, limit: 500 })
        .then(
          (r) =>
            r.violations.filter(
              (v) => v.phase === 'monitoring' && sameSource(v.series, source) && (v.severity === 'critical' || v.severity === 'warning'),
            ),
          () => [],
        );
    const load =
      metric === 'error'
        ? Promise.all([api.pchart(source, hours), errorAlerts()]).then(([v, alerts]) => ({
            model: modelFromPChart(v, alerts),
            capability: null,
            byRule: alerts.reduce<Record<string, number>>(
              (by, a) => ({ ...by, [a.rule]: (by[a.rule] ?? 0) + 1 }),
              { R1: v.firings.filter((f) => f.phase === 'monitoring').length },
            ),
            note: `subgroups of ${v.subgroup_size} calls in this window; p̄ from its first ${v.baseline_subgroups}` + liveNote(v.live),
          }))
        : api.spc(source, metric, hours, pointLimit(hours), slo).then((v) => ({
            model: modelFromSpc(v, untilMs),
            capability: v.capability,
            byRule: { ...v.summary.violations_by_rule },
            note:
              (v.chart.transform === 'log' ? 'limits computed on log values, shown in ' + metricInfo(metric).unit : '') +
              (v.chart.limits_provisional ? ' · provisional limits (learning)' : '') +
              (v.chart.state === 'learning' ? ` · learning ${v.chart.learning_points}/${v.chart.baseline_size}` : ''),
          }));
    load.then(
      (l) => {
        if (stop) return;
        setLoaded(l);
        setVersion(0);
        setError(null);
        performance.clearMarks('llmscope:data-loaded');
        performance.mark('llmscope:data-loaded', { detail: { points: l.model.x.length } });
      },
      (e) => !stop && fail(e),
    );
    return () => {
      stop = true;
    };
  }, [api, key, source?.provider, source?.model, source?.site, source?.profile, metric, hours, untilMs, slo, reload]);

  // Live events: samples grow the chart in place (one redraw per animation frame), violations
  // reach the log and the markers, a new stage reloads the chart.
  const liveRef = useRef({ live, source, metric, loaded, untilMs, hours });
  liveRef.current = { live, source, metric, loaded, untilMs, hours };
  const frame = useRef<number | null>(null);
  const pchartRefresh = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (!key) return;
    const bump = () => {
      if (frame.current !== null) return;
      frame.current = requestAnimationFrame(() => {
        frame.current = null;
        setVersion((v) => v + 1);
      });
    };
    const close = openStream({
      url: base + '/api/stream',
      key: () => keyRef.current,
      onState: (s, detail) => {
        setStreamState(s);
        if (s === 'unauthorized') fail(new ApiError(401, 'unauthorized', detail ?? ''));
      },
      onEvent: (e) => {
        const cur = liveRef.current;
        let data: unknown;
        try {
          data = JSON.parse(e.data);
        } catch {
          return;
        }
        if (e.type === 'sample') {
          const s = data as StreamSample;
          if (!cur.live || !cur.loaded || !cur.source || cur.untilMs !== undefined) return;
          if (!sameSource(cur.source, s)) return;
          if (cur.metric === 'error') {
            // The p-chart's points are subgroups the server forms: refetch it, at most once per
            // PCHART_REFRESH_MS however fast samples come.
            if (pchartRefresh.current === null) {
              pchartRefresh.current = setTimeout(() => {
                pchartRefresh.current = null;
                setReload((r) => r + 1);
              }, PCHART_REFRESH_MS);
            }
            return;
          }
          if (appendSample(cur.loaded.model, s, cur.metric)) {
            performance.clearMarks('llmscope:live-sample');
            performance.mark('llmscope:live-sample', { detail: { id: s.id } });
            trimBefore(cur.loaded.model, (Date.now() - cur.hours * 3600000) / 1000);
            bump();
          }
        } else if (e.type === 'violation') {
          const v = data as Violation;
          setIncoming((old) => ({ seq: old.seq + 1, violation: v }));
          if (v.change === 'opened') {
            const l = cur.loaded;
            if (cur.live && l && cur.source && sameSource(cur.source, v.series) && v.metric === cur.metric && v.phase === 'monitoring') {
              const m = l.model;
              const marker = violationMarker(v, m.x, m.y, m.shares === true) ?? { x: v.first_time_ms / 1000, y: 0, rule: v.rule, violationId: v.id };
              m.markers.push(marker);
              l.byRule[v.rule] = (l.byRule[v.rule] ?? 0) + 1;
              bump();
            }
            // Only an alert opens an episode on the series; info-level chart signals never change
            // its state (an older server's unclassified violations still do, as before).
            if (isAlert(v.severity)) {
              setSeries((list) => list.map((s) => (s.id === v.series.id ? { ...s, state: 'violation' } : s)));
            }
          }
        } else if (e.type === 'stage') {
          loadSeries();
          const st = data as { series: SourceKey & { metric: Metric } };
          if (cur.source && sameSource(cur.source, st.series) && st.series.metric === cur.metric) setReload((r) => r + 1);
        }
      },
    });
    return () => {
      close();
      if (pchartRefresh.current !== null) clearTimeout(pchartRefresh.current);
      pchartRefresh.current = null;
    };
  }, [api, key, base]);

  // Resuming from pause fetches what was missed.
  useEffect(() => {
    if (live) setReload((r) => r + 1);
  }, [live]);

  if (!key) return <KeyPrompt message={authMessage} onKey={saveKey} />;

  const info = metricInfo(metric);
  const model = loaded?.model ?? null;
  const atIndex = model ? (hover ?? model.x.length - 1) : -1;
  const at =
    model && atIndex >= 0 && atIndex < model.x.length
      ? {
          label: hover === null ? 'newest sample' : 'at ' + formatTime(model.x[atIndex] * 1000).slice(11),
          cpu: model.telemetry.cpu[atIndex],
          memory: model.telemetry.memory[atIndex],
          gpu: model.telemetry.gpu[atIndex],
        }
      : null;
  const currentSeries = source ? series.find((s) => sameSource(s, source) && s.metric === metric) : undefined;

  const exportViolations = () => api.violationsCsv({ ...logFilter.current, limit: undefined }).then((t) => downloadText('llmscope-violations.csv', t), fail);
  const exportSamples = () => api.samplesCsv(source, hours).then((t) => downloadText('llmscope-samples.csv', t), fail);
  const exportPng = () => {
    const url = chartRef.current?.png();
    if (url) downloadUrl(`llmscope-${metric}.png`, url);
  };
  const newStage = () => {
    setConfirmStage(false);
    if (!source) return;
    api.newStage({ ...source, metric }).then(() => {
      loadSeries();
      setReload((r) => r + 1);
    }, fail);
  };

  return (
    <div className="app">
      <header className="topbar">
        <h1>LLMscope</h1>
        <nav className="segmented" aria-label="view">
          <button type="button" className={tab === 'chart' ? 'active' : ''} aria-pressed={tab === 'chart'} onClick={() => setTab('chart')}>
            Chart
          </button>
          <button type="button" className={tab === 'compare' ? 'active' : ''} aria-pressed={tab === 'compare'} onClick={() => setTab('compare')}>
            Compare
          </button>
        </nav>
        <div className="exports">
          <button type="button" onClick={exportViolations}>
            Violations CSV
          </button>
          <button type="button" onClick={exportSamples}>
            Samples CSV
          </button>
          <button type="button" onClick={exportPng} disabled={tab !== 'chart'}>
            Chart PNG
          </button>
          <button
            type="button"
            className="linklike"
            onClick={() => {
              localStorage.removeItem(KEY_STORAGE);
              setKey(null);
            }}
          >
            Change key
          </button>
        </div>
      </header>
      {error ? (
        <p className="alert banner" role="alert">
          {error}
        </p>
      ) : null}
      <div className="layout">
        <Sidebar
          series={series}
          selected={source}
          metric={metric}
          onSelect={(s, m) => {
            setSource(s);
            setMetric(m);
            setTab('chart');
          }}
          window={win}
          onWindow={setWin}
          live={live}
          onLive={setLive}
          streamState={streamState}
        />
        <main className="main">
          {tab === 'compare' ? (
            <CompareView api={api} series={series} metric={metric} hours={hours} onError={fail} />
          ) : (
            <section className="card chart-card" aria-label="control chart">
              <div className="chart-head">
                <h2>{source ? sourceLabel(source) : 'No series yet'}</h2>
                {currentSeries ? <StatusMark state={currentSeries.state} /> : null}
                <button
                  type="button"
                  className="danger"
                  disabled={!source}
                  onClick={() => setConfirmStage(true)}
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
                    onClick={() => setMetric(m.metric)}
                  >
                    {m.label}
                  </button>
                ))}
              </div>
              {loaded ? (
                <>
                  <p className="muted note">{loaded.note}</p>
                  <ControlChart
                    ref={chartRef}
                    model={loaded.model}
                    version={version}
                    unit={info.unit}
                    digits={info.digits}
                    label={info.label}
                    onHover={setHover}
                    onMarkerClick={setOpenId}
                  />
                </>
              ) : (
                <p className="muted">{source ? 'Loading…' : 'Waiting for the first samples.'}</p>
              )}
              <AlertingPanel alerting={currentSeries?.alerting} metric={metric} />
              {loaded ? <RuleLegend counts={loaded.byRule} /> : null}
            </section>
          )}
          <div className="panels">
            <StatsPanel
              values={model?.y ?? []}
              version={version}
              metric={metric}
              capability={loaded?.capability ?? null}
              byRule={loaded?.byRule ?? {}}
              slo={slo}
              onSlo={setSlo}
            />
            <SystemPanel api={api} at={at} />
          </div>
          <ViolationLog
            api={api}
            incoming={incoming}
            onOpen={setOpenId}
            onFilter={rememberLogFilter}
            onError={fail}
          />
        </main>
      </div>
      {openId !== null ? (
        <ViolationModal
          api={api}
          id={openId}
          onClose={() => setOpenId(null)}
          onChanged={(v) => setIncoming((old) => ({ seq: old.seq + 1, violation: v }))}
        />
      ) : null}
      {confirmStage && source ? (
        <ConfirmDialog
          title="Start a new stage?"
          text={`${sourceLabel(source)} · ${info.label}: the limits are dropped and the next points form a new baseline. Violations so far stay in the log.`}
          confirm="Start new stage"
          onConfirm={newStage}
          onCancel={() => setConfirmStage(false)}
        />
      ) : null}
    </div>
  );
}
