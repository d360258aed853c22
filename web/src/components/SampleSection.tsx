// The violating sample in the violation's modal: fetched when the modal opens, its recorded
// fields (metrics, error, Ollama's durations, token counts, prompt hash). Nothing is shown while
// it loads, without a sample id, or when the server no longer has the sample (retention).
import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { Sample } from '../api/types';
import { sampleRows } from '../lib/violation_sample';

interface Loaded {
  id: number;
  sample: Sample | null;
  error?: string;
}

export function SampleSection({ api, id }: { api: ApiClient; id: number | null }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  useEffect(() => {
    if (id === null) return;
    let stop = false;
    api.getSample(id).then(
      (sample) => !stop && setLoaded({ id, sample }),
      (e: Error) => !stop && setLoaded({ id, sample: null, error: e.message }),
    );
    return () => {
      stop = true;
    };
  }, [api, id]);

  if (!loaded || loaded.id !== id || (!loaded.sample && !loaded.error)) return null;
  const rows = loaded.sample ? sampleRows(loaded.sample) : [];
  return (
    <div className="sample" data-testid="modal-sample">
      <h3>Sample #{loaded.id}</h3>
      {loaded.error ? <p className="alert">{loaded.error}</p> : null}
      {loaded.sample && rows.length === 0 ? <p className="muted">Nothing else was recorded for it.</p> : null}
      {rows.length > 0 ? (
        <dl className="kv">
          {rows.map((r) => (
            <div key={r.key} className="kv-row">
              <dt>{r.label}</dt>
              <dd data-field={r.key}>{r.value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </div>
  );
}
