// The series list, fetched while there is a key: at start, every 15 s (states change with
// violations), and again when `reloads` changes (a new stage). It goes into the live state,
// where stream events change it too.
import { useEffect, type Dispatch, type SetStateAction } from 'react';
import type { ApiClient } from '../api/client';
import type { SeriesInfo } from '../api/types';
import type { LiveState } from '../lib/live_state';

export const SERIES_REFRESH_MS = 15000;

interface Options {
  api: ApiClient;
  enabled: boolean;
  reloads: number;
  setLive: Dispatch<SetStateAction<LiveState>>;
  onLoaded: (series: SeriesInfo[]) => void;
  onError: (e: unknown) => void;
}

export function useSeriesList({ api, enabled, reloads, setLive, onLoaded, onError }: Options) {
  useEffect(() => {
    if (!enabled) return;
    const load = () =>
      api.series().then((r) => {
        setLive((s) => ({ ...s, series: r.series }));
        onLoaded(r.series);
      }, onError);
    void load();
    const t = setInterval(load, SERIES_REFRESH_MS);
    return () => clearInterval(t);
  }, [api, enabled, reloads, setLive, onLoaded, onError]);
}
