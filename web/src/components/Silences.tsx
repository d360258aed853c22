// Silences: alerts of matching violations are not sent until the silence ends (POST
// /api/silences); current and future ones are listed and can be ended now.
import { useState, type FormEvent } from 'react';
import type { AlertSettingsApi, Silence } from '../api/alert_settings';

interface Props {
  settings: AlertSettingsApi;
  silences: Silence[];
  onChanged: () => void;
  onError: (e: unknown) => void;
}

export function Silences({ settings, silences, onChanged, onError }: Props) {
  const [provider, setProvider] = useState('');
  const [model, setModel] = useState('');
  const [duration, setDuration] = useState('2h');
  const [comment, setComment] = useState('');

  const add = (e: FormEvent) => {
    e.preventDefault();
    const body = { duration, comment, created_by: 'dashboard', ...(provider ? { provider } : {}), ...(model ? { model } : {}) };
    settings.addSilence(body).then(() => {
      setComment('');
      onChanged();
    }, onError);
  };
  return (
    <section className="settings-section" aria-label="silences">
      <h3>Silences</h3>
      <ul className="settings-list">
        {silences.map((s) => (
          <li key={s.id}>
            {s.provider ?? 'any provider'} / {s.model ?? 'any model'} until {s.ends_at}
            {s.comment ? ` (${s.comment})` : ''}{' '}
            <button type="button" onClick={() => settings.endSilence(s.id).then(onChanged, onError)}>
              End now
            </button>
          </li>
        ))}
      </ul>
      <form className="settings-form" aria-label="silence form" onSubmit={add}>
        <label>
          Provider
          <input value={provider} onChange={(e) => setProvider(e.target.value)} />
        </label>
        <label>
          Model
          <input value={model} onChange={(e) => setModel(e.target.value)} />
        </label>
        <label>
          For (30m, 2h, 1d)
          <input value={duration} onChange={(e) => setDuration(e.target.value)} required />
        </label>
        <label>
          Comment
          <input value={comment} onChange={(e) => setComment(e.target.value)} />
        </label>
        <button type="submit">Add silence</button>
      </form>
    </section>
  );
}
