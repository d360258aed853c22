// Finer points where the person zoomed in: once the x range has settled for ZOOM_SETTLE_MS, the
// zoomed span (within the window) is fetched with as many display points as the plot is wide
// and spliced into the chart of the fetch it was zoomed on. Resetting the zoom fetches the
// window again. The p-chart's points are subgroups, the same at any zoom: nothing is fetched.
import { useCallback, useEffect, useState, type Dispatch, type SetStateAction } from 'react';
import type { ApiClient } from '../api/client';
import { modelFromSpc } from '../lib/chart_data';
import { withChartReload, withZoomDetail, type LiveState } from '../lib/live_state';
import { displayPoints, withinSpan } from '../lib/window';
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
  plotPixels: () => number;
  setLive: Dispatch<SetStateAction<LiveState>>;
  onError: (e: unknown) => void;
}

export function useZoomDetail({ api, query, load, plotPixels, setLive, onError }: Options): (range: XRange | null) => void {
  const [zoom, setZoom] = useState<{ load: number; range: XRange } | null>(null);
  useEffect(() => {
    if (!zoom || zoom.load !== load || !query || query.metric === 'error') return;
    let stop = false;
    const timer = setTimeout(() => {
      const span = withinSpan(query.span, zoom.range.minS * 1000, zoom.range.maxS * 1000, Date.now());
      if (!span) return;
      api.spc(query.source, query.metric, span, displayPoints(plotPixels()), query.slo).then(
        (v) => !stop && setLive((s) => withZoomDetail(s, zoom.load, modelFromSpc(v), span.sinceMs / 1000, span.untilMs / 1000)),
        (e) => !stop && onError(e),
      );
    }, ZOOM_SETTLE_MS);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [zoom, load, api, query, plotPixels, setLive, onError]);

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
