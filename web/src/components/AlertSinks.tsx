// The alert sinks: the file's (read-only) and those added here, each with "Send test", whose
// outcome (delivered, or the error in words) is shown once the outbox reports it.
import { useEffect, useState } from 'react';
import { testOutcomeText, type AlertSettingsApi, type SinkInput, type SinkView } from '../api/alert_settings';
import { SinkForm } from './SinkForm';

const POLL_MS = 500;
const POLLS = 60;

interface Props {
  settings: AlertSettingsApi;
  sinks: SinkView[];
  onChanged: () => void;
  onError: (e: unknown) => void;
}

export function AlertSinks({ settings, sinks, onChanged, onError }: Props) {
  const [editing, setEditing] = useState<SinkView | 'new' | null>(null);
  const [outcome, setOutcome] = useState<Record<string, string>>({});
  const [polls, setPolls] = useState<{ sink: string; key: string; left: number } | null>(null);

  useEffect(() => {
    if (!polls) return;
    const timer = setTimeout(() => {
      settings.testOutcome(polls.key).then(
        (d) => {
          setOutcome((o) => ({ ...o, [polls.sink]: testOutcomeText(d) }));
          const done = d.state !== 'pending' || (d.attempts > 0 && d.last_error);
          setPolls(done || polls.left <= 1 ? null : { ...polls, left: polls.left - 1 });
        },
        () => setPolls(polls.left <= 1 ? null : { ...polls, left: polls.left - 1 }),
      );
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [polls, settings]);

  const save = (s: SinkInput) =>
    settings.saveSink(s, editing === 'new').then(() => {
      setEditing(null);
      onChanged();
    }, onError);
  const remove = (name: string) => settings.deleteSink(name).then(onChanged, onError);
  const test = (name: string) => {
    setOutcome((o) => ({ ...o, [name]: 'Sending…' }));
    settings.testSink(name).then((r) => setPolls({ sink: name, key: r.key, left: POLLS }), onError);
  };
  const target = (s: SinkView) => s.url ?? (s.url_set ? '(secret URL set)' : s.url_env ? `$${s.url_env}` : '');

  return (
    <section className="settings-section" aria-label="alert sinks">
      <h3>Sinks</h3>
      <table className="settings-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Sends to</th>
            <th>Source</th>
            <th />
            <th>Test</th>
          </tr>
        </thead>
        <tbody>
          {sinks.map((s) => (
            <tr key={s.name} data-testid={`sink-${s.name}`}>
              <td>{s.name}</td>
              <td>{s.type}</td>
              <td className="mono">{target(s)}</td>
              <td>{s.source === 'file' ? 'config file (read-only)' : 'dashboard'}</td>
              <td>
                {s.source === 'store' ? (
                  <>
                    <button type="button" onClick={() => setEditing(s)}>
                      Edit
                    </button>{' '}
                    <button type="button" onClick={() => remove(s.name)}>
                      Delete
                    </button>
                  </>
                ) : null}
              </td>
              <td>
                <button type="button" onClick={() => test(s.name)}>
                  Send test
                </button>{' '}
                <span className="test-outcome" data-testid={`test-outcome-${s.name}`} role="status">
                  {outcome[s.name] ?? ''}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing ? (
        <SinkForm key={editing === 'new' ? 'new' : editing.name} sink={editing === 'new' ? null : editing} onSave={save} onCancel={() => setEditing(null)} />
      ) : (
        <button type="button" onClick={() => setEditing('new')}>
          Add sink
        </button>
      )}
    </section>
  );
}
