// The alert routes: which violations go to which sinks. An empty match sends every alert.
import { useState, type FormEvent } from 'react';
import { listOf, type AlertMatch, type AlertSettingsApi, type RouteView } from '../api/alert_settings';
import { MatchFields, matchText, useMatchFields } from './MatchFields';

interface Props {
  settings: AlertSettingsApi;
  routes: RouteView[];
  sinkNames: string[];
  onChanged: () => void;
  onError: (e: unknown) => void;
}

export function AlertRoutes({ settings, routes, sinkNames, onChanged, onError }: Props) {
  const [name, setName] = useState('');
  const [sinks, setSinks] = useState('');
  const match = useMatchFields();

  const add = (e: FormEvent) => {
    e.preventDefault();
    const m: AlertMatch = match.value();
    settings.saveRoute({ name, match: m, sinks: listOf(sinks) }, true).then(() => {
      setName('');
      setSinks('');
      match.clear();
      onChanged();
    }, onError);
  };
  return (
    <section className="settings-section" aria-label="alert routes">
      <h3>Routes</h3>
      <ul className="settings-list">
        {routes.map((r) => (
          <li key={r.name}>
            <strong>{r.name}</strong>: {matchText(r.match)} → {r.sinks.join(', ')}{' '}
            {r.source === 'file' ? (
              <span className="muted">(config file)</span>
            ) : (
              <button type="button" onClick={() => settings.deleteRoute(r.name).then(onChanged, onError)}>
                Delete
              </button>
            )}
          </li>
        ))}
      </ul>
      <form className="settings-form" aria-label="route form" onSubmit={add}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          Sinks (comma-separated: {sinkNames.join(', ')})
          <input value={sinks} onChange={(e) => setSinks(e.target.value)} required />
        </label>
        <MatchFields fields={match} />
        <button type="submit">Add route</button>
      </form>
    </section>
  );
}
