// What the live event stream changes on the page, as a pure function of the state, one event
// (api/stream.ts) and what the page shows: a sample grows the chart on screen; a violation
// reaches the log, marks the chart and (an alert) puts its series in the `violation` state; a
// new stage asks for the series list again and, when it is the shown series', the chart. Nothing
// is changed in place: the result shares what the event left alone, and is the state itself when
// the event changes nothing (React then skips the render).
import type { StreamEvent } from '../api/stream';
import type { Descriptive } from './stats';
import type { Capability, Metric, SeriesInfo, SourceKey, StageEvent, StreamSample, Violation } from '../api/types';
import { splicedDetail, trimmedBefore, withSample, type ChartModel } from './chart_data';
import { violationMarker } from './markers';
import { sameSource } from './series_key';
import { isAlert } from './severity';
import { endsNow, spanStart, type Span } from './window';

// The chart on screen as fetched (hooks/useChartData.ts), grown by live events.
export interface LoadedChart {
  model: ChartModel;
  capability: Capability | null;
  byRule: Record<string, number>; // violations per rule in the window
  marksTruncated: boolean; // the window has more violations than its markers (the server's limit)
  windowStats: Descriptive | null; // the server's, of every point, when the chart lists fewer
  note: string;
  load: number; // which fetch it came from: live events keep it, a new fetch draws a new chart
}

// The newest violation events (from the stream, or changes made on the page) for the log to
// merge: `seq` counts them all, `recent` holds the last RECENT_VIOLATIONS of them, oldest first,
// so that events that reach the page together (one render) all reach the log.
export interface IncomingViolations {
  seq: number;
  recent: Violation[];
}

export const RECENT_VIOLATIONS = 100;

export interface LiveState {
  series: SeriesInfo[];
  chart: LoadedChart | null;
  incoming: IncomingViolations;
  chartReloads: number; // bumped when the chart is to be fetched again
  seriesReloads: number; // bumped when the series list is to be fetched again
  pchartStale: boolean; // samples of the shown p-chart's source came since it was asked for
}

export const INITIAL_LIVE_STATE: LiveState = {
  series: [],
  chart: null,
  incoming: { seq: 0, recent: [] },
  chartReloads: 0,
  seriesReloads: 0,
  pchartStale: false,
};

// What the page shows when an event arrives.
export interface LiveView {
  live: boolean; // false: paused, the chart stays as it is
  source: SourceKey | null;
  metric: Metric;
  span: Span; // a span that does not end now takes no live points
  nowMs: number;
}

export function withIncoming(s: LiveState, violation: Violation): LiveState {
  return { ...s, incoming: { seq: s.incoming.seq + 1, recent: [...s.incoming.recent, violation].slice(-RECENT_VIOLATIONS) } };
}

// The events that came after the first `seen` (those still held), oldest first.
export function violationsSince(incoming: IncomingViolations, seen: number): Violation[] {
  const n = Math.min(incoming.seq - seen, incoming.recent.length);
  return n > 0 ? incoming.recent.slice(-n) : [];
}

// A reload fetches the p-chart too, so it is no longer stale.
export function withChartReload(s: LiveState): LiveState {
  return { ...s, chartReloads: s.chartReloads + 1, pchartStale: false };
}

// The finer points of a zoomed span spliced into the chart of fetch `load` (none when another
// fetch has replaced it since).
export function withZoomDetail(s: LiveState, load: number, detail: ChartModel, sinceS: number, untilS: number): LiveState {
  const chart = s.chart;
  if (!chart || chart.load !== load) return s;
  return { ...s, chart: { ...chart, model: splicedDetail(chart.model, detail, sinceS, untilS) } };
}

export function withSeriesReload(s: LiveState): LiveState {
  return { ...s, seriesReloads: s.seriesReloads + 1 };
}

export function applyStreamEvent(s: LiveState, e: StreamEvent, view: LiveView): LiveState {
  switch (e.type) {
    case 'sample':
      return applySample(s, e.sample, view);
    case 'violation':
      return applyViolation(s, e.violation, view);
    case 'stage':
      return applyStage(s, e.stage, view);
  }
}

function showsSeries(view: LiveView, source: SourceKey, metric?: Metric): boolean {
  return view.source !== null && sameSource(view.source, source) && (metric === undefined || metric === view.metric);
}

function applySample(s: LiveState, sample: StreamSample, view: LiveView): LiveState {
  const chart = s.chart;
  if (!view.live || !chart || !endsNow(view.span) || !showsSeries(view, sample)) return s;
  // The p-chart's points are subgroups the server forms: it is fetched again instead.
  if (view.metric === 'error') return s.pchartStale ? s : { ...s, pchartStale: true };
  const grown = withSample(chart.model, sample, view.metric);
  if (grown === chart.model) return s;
  const model = trimmedBefore(grown, spanStart(view.span, view.nowMs) / 1000);
  return { ...s, chart: { ...chart, model } };
}

function applyViolation(s: LiveState, v: Violation, view: LiveView): LiveState {
  let next = withIncoming(s, v);
  if (v.change !== 'opened') return next;
  const chart = next.chart;
  if (view.live && chart && v.phase === 'monitoring' && showsSeries(view, v.series, v.metric)) {
    const m = chart.model;
    const marker = violationMarker(v, m.x, m.y, m.shares === true) ?? { x: v.first_time_ms / 1000, y: 0, rule: v.rule, violationId: v.id };
    next = {
      ...next,
      chart: {
        ...chart,
        model: { ...m, markers: [...m.markers, marker] },
        byRule: { ...chart.byRule, [v.rule]: (chart.byRule[v.rule] ?? 0) + 1 },
      },
    };
  }
  // Only an alert opens an episode on the series; info-level chart signals never change its
  // state (an older server's unclassified violations still do, as before).
  if (isAlert(v.severity)) {
    next = { ...next, series: next.series.map((x) => (x.id === v.series.id ? { ...x, state: 'violation' } : x)) };
  }
  return next;
}

function applyStage(s: LiveState, stage: StageEvent, view: LiveView): LiveState {
  const next = withSeriesReload(s);
  return showsSeries(view, stage.series, stage.series.metric) ? withChartReload(next) : next;
}
