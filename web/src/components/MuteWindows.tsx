// Mute windows: alerts of matching violations are held back while one is on, weekly (days with
// a time of day, UTC) or once (a start and an end).
import { useState, type FormEvent } from 'react';
import type { AlertSettingsApi, MuteView } from '../api/alert_settings';
import { MatchFields, matchText, useMatchFields } from './MatchFields';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

interface Props {
  settings: AlertSettingsApi;
  mutes: MuteView[];
  onChanged: () => void;
  onError: (e: unknown) => void;
}

function whenText(m: MuteView): string {
  if (m.start) return `${m.start} – ${m.end}`;
  return `${(m.days ?? []).join(' ')} ${m.from}–${m.to} UTC`;
}

export function MuteWindows({ settings, mutes, onChanged, onError }: Props) {
  const [name, setName] = useState('');
  const [days, setDays] = useState<string[]>([]);
  const [from, setFrom] = useState('22:00');
  const [to, setTo] = useState('06:00');
  const match = useMatchFields();

  const add = (e: FormEvent) => {
    e.preventDefault();
    settings.saveMute({ name, match: match.value(), days, from, to }, true).then(() => {
      setName('');
      setDays([]);
      match.clear();
      onChanged();
    }, onError);
  };
  const toggle = (d: string) => setDays((all) => (all.includes(d) ? all.filter((x) => x !== d) : [...all, d]));
  return (
    <section className="settings-section" aria-label="mute windows">
      <h3>Mute windows</h3>
      <ul className="settings-list">
        {mutes.map((m) => (
          <li key={m.name}>
            <strong>{m.name}</strong>: {whenText(m)}, {matchText(m.match)}{' '}
            {m.source === 'file' ? (
              <span className="muted">(config file)</span>
            ) : (
              <button type="button" onClick={() => settings.deleteMute(m.name).then(onChanged, onError)}>
                Delete
              </button>
            )}
          </li>
        ))}
      </ul>
      <form className="settings-form" aria-label="mute form" onSubmit={add}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <fieldset>
          <legend>Days</legend>
          {DAYS.map((d) => (
            <label key={d} className="check">
              <input type="checkbox" checked={days.includes(d)} onChange={() => toggle(d)} /> {d}
            </label>
          ))}
        </fieldset>
        <label>
          From (UTC)
          <input value={from} onChange={(e) => setFrom(e.target.value)} placeholder="HH:MM" />
        </label>
        <label>
          To (UTC)
          <input value={to} onChange={(e) => setTo(e.target.value)} placeholder="HH:MM" />
        </label>
        <MatchFields fields={match} />
        <button type="submit">Add mute window</button>
      </form>
    </section>
  );
}
