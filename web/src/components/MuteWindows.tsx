// Mute windows: alerts of matching violations are held back while one is on, weekly (days with
// a time of day, UTC) or once (a start and an end, ISO 8601).
import { useState, type FormEvent } from 'react';
import type { AlertMatch, AlertSettingsApi, MuteView } from '../api/alert_settings';
import { MatchFields, matchText, useMatchFields } from './MatchFields';
import { SettingsItems, type ItemFormProps } from './SettingsItems';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

type MuteBody = Omit<MuteView, 'source' | 'version'>;

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
  return (
    <SettingsItems
      label="mute windows"
      title="Mute windows"
      items={mutes}
      describe={(m) => `${whenText(m)}, ${matchText(m.match)}`}
      form={({ item, onSave, onCancel }: ItemFormProps<MuteView, MuteBody>) => <MuteForm mute={item} onSave={onSave} onCancel={onCancel} />}
      save={settings.saveMute}
      remove={settings.deleteMute}
      onChanged={onChanged}
      onError={onError}
    />
  );
}

interface FormProps {
  mute: MuteView | null;
  onSave: (body: MuteBody) => void;
  onCancel: () => void;
}

function MuteForm({ mute, onSave, onCancel }: FormProps) {
  const [name, setName] = useState(mute?.name ?? '');
  const [once, setOnce] = useState(Boolean(mute?.start));
  const [days, setDays] = useState<string[]>(mute?.days ?? []);
  const [from, setFrom] = useState(mute?.from ?? '22:00');
  const [to, setTo] = useState(mute?.to ?? '06:00');
  const [start, setStart] = useState(mute?.start ?? '');
  const [end, setEnd] = useState(mute?.end ?? '');
  const match = useMatchFields(mute?.match);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const m: AlertMatch = match.value();
    onSave(once ? { name, match: m, start, end } : { name, match: m, days, from, to });
  };
  const toggle = (d: string) => setDays((all) => (all.includes(d) ? all.filter((x) => x !== d) : [...all, d]));
  return (
    <form className="settings-form" aria-label={mute ? 'edit mute window' : 'mute form'} onSubmit={submit}>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} readOnly={mute !== null} required />
      </label>
      <label>
        Repeats
        <select value={once ? 'once' : 'weekly'} onChange={(e) => setOnce(e.target.value === 'once')}>
          <option value="weekly">weekly</option>
          <option value="once">once</option>
        </select>
      </label>
      {once ? (
        <>
          <label>
            Start (ISO 8601)
            <input value={start} onChange={(e) => setStart(e.target.value)} placeholder="2026-05-01T22:00:00Z" required />
          </label>
          <label>
            End (ISO 8601)
            <input value={end} onChange={(e) => setEnd(e.target.value)} placeholder="2026-05-02T06:00:00Z" required />
          </label>
        </>
      ) : (
        <>
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
        </>
      )}
      <MatchFields fields={match} />
      {mute ? (
        <>
          <button type="submit">Save mute window</button>{' '}
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </>
      ) : (
        <button type="submit">Add mute window</button>
      )}
    </form>
  );
}
