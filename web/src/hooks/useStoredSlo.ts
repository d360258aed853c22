// The selected series' SLO as the server stores it (GET/PUT/DELETE …/slo): loaded when the series
// changes, saved when the person edits it, so that Cp/Cpk show for everyone without typing.
import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { Metric, Slo, SourceKey } from '../api/types';

const NONE: Slo = {};

export function useStoredSlo(p: {
  api: ApiClient;
  enabled: boolean;
  source: SourceKey | null;
  metric: Metric;
  onError: (e: unknown) => void;
}): { slo: Slo; save: (slo: Slo) => void; loads: number } {
  const { api, enabled, source, metric, onError } = p;
  // The SLO with the series it belongs to: another series' SLO is never shown.
  const [stored, setStored] = useState<{ series: string; slo: Slo }>({ series: '', slo: NONE });
  // Loads from the server: an editor shows the stored SLO anew after each, not after a save.
  const [loads, setLoads] = useState(0);
  const series = source ? JSON.stringify([source.provider, source.model, source.site, source.profile, metric]) : '';
  useEffect(() => {
    if (!enabled || !source) return;
    let current = true;
    api.slo({ ...source, metric }).then((r) => {
      if (!current) return;
      setStored({ series, slo: r ? { usl: r.usl ?? undefined, lsl: r.lsl ?? undefined } : NONE });
      setLoads((n) => n + 1);
    }, onError);
    return () => {
      current = false;
    };
  }, [api, enabled, source, metric, series, onError]);
  const save = useCallback(
    (next: Slo) => {
      if (!source) return;
      api.saveSlo({ ...source, metric }, next).then(() => setStored({ series, slo: next }), onError);
    },
    [api, source, metric, series, onError],
  );
  return { slo: stored.series === series ? stored.slo : NONE, save, loads };
}
