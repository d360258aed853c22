// Finer points where the person zoomed in: once the x range has settled for ZOOM_SETTLE_MS, the
// zoomed span (within the window) is fetched with as many display points as the plot is wide
// and spliced into the chart of the fetch it was zoomed on. Resetting the zoom fetches the
// window again. The p-chart's points are subgroups, the same at any zoom: nothing is fetched.
// A downsampled chart whose points fill less than half of its window (lib/window.ts filledPart)
// is fetched finer over that part once per fetch, as if zoomed there, so that a few coarse
// buckets are not stretched across the plot.
import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import type { ApiClient } from '../api/client';
import { modelFromSpc } from '../lib/chart_data';
import { withChartReload, withZoomDetail, type LiveState } from '../lib/live_state';
import { displayPoints, filledPart, withinSpan } from '../lib/window';
import type { ChartQuery } from './useChartData';

export const ZOOM_SETTLE_MS = 400;

// An x range of the chart, in seconds.
export interface XRange {
  minS: number;
  maxS: number;
}

interface Options {
  api: ApiClient;
  query: ChartQuery | null;
  load: number | undefined; // the fetch the chart on screen came from
  downsampledX: number[] | null; // the times (s) of the chart's points when it is downsampled
  plotPixels: () => number;
  setLive: Dispatch<SetStateAction<LiveState>>;
  onError: (e: unknown) => void;
}

export function useZoomDetail({ api, query, load, downsampledX, plotPixels, setLive, onError }: Options): (range: XRange | null) => void {
  const [zoom, setZoom] = useState<{ load: number; range: XRange } | null>(null);
  // Fetches the range finer and splices it into the chart of fetch `forLoad` (a chart of another
  // fetch by then is left as it is: live_state.ts withZoomDetail).
  const fetchDetail = useCallback(
    (forLoad: number, q: ChartQuery, range: XRange, stopped: () => boolean) => {
      const span = withinSpan(q.span, range.minS * 1000, range.maxS * 1000, Date.now());
      if (!span) return;
      api.spc(q.source, q.metric, span, displayPoints(plotPixels()), q.slo).then(
        (v) => !stopped() && setLive((s) => withZoomDetail(s, forLoad, modelFromSpc(v), span.sinceMs / 1000, span.untilMs / 1000)),
        (e) => !stopped() && onError(e),
      );
    },
    [api, plotPixels, setLive, onError],
  );
  const filledFetched = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (load === undefined || !downsampledX || !query || query.metric === 'error' || filledFetched.current === load) return;
    filledFetched.current = load;
    const filled = filledPart(downsampledX, query.span, Date.now());
    if (filled) fetchDetail(load, query, filled, () => false);
  }, [load, downsampledX, query, fetchDetail]);
  useEffect(() => {
    if (!zoom || zoom.load !== load || !query || query.metric === 'error') return;
    let stop = false;
    const timer = setTimeout(() => fetchDetail(zoom.load, query, zoom.range, () => stop), ZOOM_SETTLE_MS);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [zoom, load, query, fetchDetail]);

  return useCallback(
    (range: XRange | null) => {
      if (load === undefined) return;
      if (range) {
        setZoom({ load, range });
      } else {
        setZoom(null);
        setLive(withChartReload);
      }
    },
    [load, setLive],
  );
}
