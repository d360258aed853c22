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
}): [Slo, (slo: Slo) => void] {
  const { api, enabled, source, metric, onError } = p;
  // The SLO with the series it belongs to: another series' SLO is never shown.
  const [stored, setStored] = useState<{ series: string; slo: Slo }>({ series: '', slo: NONE });
  const series = source ? JSON.stringify([source.provider, source.model, source.site, source.profile, metric]) : '';
  useEffect(() => {
    if (!enabled || !source) return;
    let current = true;
    api.slo({ ...source, metric }).then((r) => {
      if (current) setStored({ series, slo: r ? { usl: r.usl ?? undefined, lsl: r.lsl ?? undefined } : NONE });
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
  return [stored.series === series ? stored.slo : NONE, save];
}
