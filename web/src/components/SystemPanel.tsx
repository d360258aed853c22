// Host telemetry: now (GET /api/system, polled every 5 s) and at the sample under the cursor
// (or the newest sample).
import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { SystemNow } from '../api/types';
import type { TelemetryAt } from '../lib/chart_data';
import { formatValue } from '../lib/metrics';

export function SystemPanel({ api, at }: { api: ApiClient; at: TelemetryAt | null }) {
  const [now, setNow] = useState<SystemNow | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stop = false;
    const load = () =>
      api
        .system()
        .then((s) => !stop && (setNow(s), setError(null)))
        .catch((e: Error) => !stop && setError(e.message));
    void load();
    const t = setInterval(load, 5000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [api]);
  const pct = (v: number | null | undefined) => formatValue(v ?? null, 0, '%');
  return (
    <section className="card system" aria-label="system">
      <h2>System</h2>
      {error ? <p className="alert">{error}</p> : null}
      <table>
        <thead>
          <tr>
            <th></th>
            <th>now</th>
            <th>{at ? at.label : 'at sample'}</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th>CPU</th>
            <td>{pct(now?.cpu_percent)}</td>
            <td>{pct(at?.cpu)}</td>
          </tr>
          <tr>
            <th>Memory</th>
            <td>{pct(now?.memory_percent)}</td>
            <td>{pct(at?.memory)}</td>
          </tr>
          <tr>
            <th>GPU</th>
            <td>{pct(now?.gpu_percent)}</td>
            <td>{pct(at?.gpu)}</td>
          </tr>
          <tr>
            <th>GPU temp</th>
            <td>{formatValue(now?.gpu_temp_c ?? null, 0, '°C')}</td>
            <td></td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}
