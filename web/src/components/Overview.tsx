// The overview of all sources (lib/overview.ts): one row per source from GET /api/status with its
// state, a sparkline of its recent e2e latency and its current p50/p95; a row opens that
// source's chart. Fetched when shown and every 15 s.
import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { SourceKey, SourceStatus } from '../api/types';
import { overviewRows, sparkPoints } from '../lib/overview';
import { sourceId, sourceLabel, sourceOf } from '../lib/series_key';
import { StatusMark } from './StatusMark';

export const OVERVIEW_REFRESH_MS = 15000;
const SPARK_WIDTH = 120;
const SPARK_HEIGHT = 24;

interface Props {
  api: ApiClient;
  onOpen: (source: SourceKey) => void;
  onError: (e: unknown) => void;
}

function ms(v: number | null): string {
  return v === null ? '—' : `${Math.round(v)} ms`;
}

export function Overview({ api, onOpen, onError }: Props) {
  const [sources, setSources] = useState<SourceStatus[] | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      api.status().then((r) => {
        if (live) setSources(r.sources);
      }, onError);
    void load();
    const t = setInterval(load, OVERVIEW_REFRESH_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [api, onError]);

  return (
    <section className="overview card" aria-label="overview of all sources">
      <h2>All sources</h2>
      {sources === null ? <p className="muted">Loading…</p> : null}
      {sources !== null && sources.length === 0 ? <p className="muted">No source yet.</p> : null}
      {sources !== null && sources.length > 0 ? (
        <table className="overview-table">
          <thead>
            <tr>
              <th scope="col">source</th>
              <th scope="col">state</th>
              <th scope="col">recent e2e</th>
              <th scope="col">p50</th>
              <th scope="col">p95</th>
            </tr>
          </thead>
          <tbody>
            {overviewRows(sources).map((s) => (
              <tr key={sourceId(s)} data-testid="overview-row">
                <th scope="row">
                  <button type="button" className="linklike" onClick={() => onOpen(sourceOf(s))}>
                    {sourceLabel(s)}
                  </button>
                </th>
                <td>
                  <StatusMark state={s.state} />
                </td>
                <td>
                  <svg className="sparkline" width={SPARK_WIDTH} height={SPARK_HEIGHT} role="img" aria-label={`recent e2e latency of ${sourceLabel(s)}`}>
                    <polyline points={sparkPoints(s.e2e_spark ?? [], SPARK_WIDTH, SPARK_HEIGHT - 2)} fill="none" stroke="currentColor" strokeWidth="1.5" transform="translate(0 1)" />
                  </svg>
                </td>
                <td>{ms(s.e2e_p50_ms)}</td>
                <td>{ms(s.e2e_p95_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
