// The chart of the shown series and window, fetched while there is a key: when the series, the
// metric, the window or the SLO change, when `reloads` changes, and (a live p-chart, whose points
// are subgroups the server forms) again at most every PCHART_REFRESH_MS while samples of its
// source arrive. It asks for as many display points as the plot is wide (`plotPixels`, read when
// it fetches: a resize alone fetches nothing). It goes into the live state, where stream events
// grow it.
import { useEffect, useRef, type Dispatch, type SetStateAction } from 'react';
import type { ApiClient } from '../api/client';
import type { Metric, PChartView, Slo, SourceKey } from '../api/types';
import { firingsByRule, modelFromPChart, modelFromSpc } from '../lib/chart_data';
import { withChartReload, type LiveState, type LoadedChart } from '../lib/live_state';
import { metricInfo } from '../lib/metrics';
import { sameSource } from '../lib/series_key';
import { fromSummary } from '../lib/stats';
import { ALERTS } from '../lib/severity';
import { displayPoints, spanParams, type Span } from '../lib/window';

// How often at most a live p-chart (the error rate) is fetched again while samples arrive.
export const PCHART_REFRESH_MS = 3000;

export interface ChartQuery {
  source: SourceKey;
  metric: Metric;
  span: Span;
  slo: Slo;
}

interface Options {
  api: ApiClient;
  query: ChartQuery | null; // null: nothing to fetch (no key, or no series yet); memoized
  plotPixels: () => number; // the plot's width in device pixels
  reloads: number;
  pchartStale: boolean;
  setLive: Dispatch<SetStateAction<LiveState>>;
  onLoaded: () => void;
  onError: (e: unknown) => void;
}

export function useChartData({ api, query, plotPixels, reloads, pchartStale, setLive, onLoaded, onError }: Options) {
  const loads = useRef(0);
  useEffect(() => {
    if (!query) return;
    let stop = false;
    performance.clearMarks('llmscope:data-requested');
    performance.mark('llmscope:data-requested');
    fetchChart(api, query, displayPoints(plotPixels())).then(
      (chart) => {
        if (stop) return;
        loads.current += 1;
        const load = loads.current;
        setLive((s) => ({ ...s, chart: { ...chart, load } }));
        onLoaded();
        performance.clearMarks('llmscope:data-loaded');
        performance.mark('llmscope:data-loaded', { detail: { points: chart.model.x.length } });
      },
      (e) => !stop && onError(e),
    );
    return () => {
      stop = true;
    };
  }, [api, query, plotPixels, reloads, setLive, onLoaded, onError]);

  useEffect(() => {
    if (!pchartStale) return;
    const t = setTimeout(() => setLive(withChartReload), PCHART_REFRESH_MS);
    return () => clearTimeout(t);
  }, [pchartStale, setLive]);
}

// The p-chart is computed over the window; the error rate's logged alerts (ERRORS) come from the
// violation log (an older server without severities sends none that count).
export function fetchChart(api: ApiClient, q: ChartQuery, maxPoints: number): Promise<Omit<LoadedChart, 'load'>> {
  const { source, metric, span, slo } = q;
  if (metric === 'error') {
    const alerts = api
      .violations({ provider: source.provider, model: source.model, metric: 'error', ...spanParams(span), severity: ALERTS, limit: 500 })
      .then(
        (r) =>
          r.violations.filter(
            (v) => v.phase === 'monitoring' && sameSource(v.series, source) && (v.severity === 'critical' || v.severity === 'warning'),
          ),
        () => [],
      );
    return Promise.all([api.pchart(source, span), alerts]).then(([v, alerts]) => ({
      model: modelFromPChart(v, alerts),
      capability: null,
      byRule: alerts.reduce<Record<string, number>>(
        (by, a) => ({ ...by, [a.rule]: (by[a.rule] ?? 0) + 1 }),
        { R1: v.firings.filter((f) => f.phase === 'monitoring').length },
      ),
      marksTruncated: false,
      windowStats: null,
      note: `subgroups of ${v.subgroup_size} calls in this window; p̄ from its first ${v.baseline_subgroups}` + liveNote(v.live),
    }));
  }
  return api.spc(source, metric, span, maxPoints, slo).then((v) => ({
    model: modelFromSpc(v),
    capability: v.capability,
    byRule: firingsByRule(v.summary),
    marksTruncated: v.violation_marks_truncated === true,
    windowStats: v.downsampled ? fromSummary(v.summary) : null,
    note:
      (v.chart.transform === 'log' ? 'limits computed on log values, shown in ' + metricInfo(metric).unit : '') +
      (v.chart.limits_provisional ? ' · provisional limits (learning)' : '') +
      (v.chart.state === 'learning' ? ` · learning ${v.chart.learning_points}/${v.chart.baseline_size}` : ''),
  }));
}

// What the server's live p-chart (the one that logs violations) says, beside the window's view.
function liveNote(live: PChartView['live']): string {
  if (!live) return '';
  if (live.state === 'learning') return ` · live chart: learning ${live.learning_calls}/${live.baseline_calls} calls`;
  const l = live.limits;
  if (!l) return '';
  if (!l.estimable) return ` · live chart (stage ${live.stage}): p̄ = ${l.p_bar}, limits not estimable: any failed subgroup fires R1`;
  return ` · live chart (stage ${live.stage}): p̄ = ${l.p_bar.toFixed(4)}, UCL ${l.ucl.toFixed(4)}, LCL ${l.lcl.toFixed(4)}`;
}
