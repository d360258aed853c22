// The alert routes: which violations go to which sinks. An empty match sends every alert.
import { useState, type FormEvent } from 'react';
import { listOf, type AlertMatch, type AlertSettingsApi, type RouteView } from '../api/alert_settings';
import { MatchFields, matchText, useMatchFields } from './MatchFields';
import { SettingsItems, type ItemFormProps } from './SettingsItems';

type RouteBody = { name: string; match: AlertMatch; sinks: string[] };

interface Props {
  settings: AlertSettingsApi;
  routes: RouteView[];
  sinkNames: string[];
  onChanged: () => void;
  onError: (e: unknown) => void;
}

export function AlertRoutes({ settings, routes, sinkNames, onChanged, onError }: Props) {
  return (
    <SettingsItems
      label="alert routes"
      title="Routes"
      items={routes}
      describe={(r) => `${matchText(r.match)} → ${r.sinks.join(', ')}`}
      form={({ item, onSave, onCancel }: ItemFormProps<RouteView, RouteBody>) => (
        <RouteForm route={item} sinkNames={sinkNames} onSave={onSave} onCancel={onCancel} />
      )}
      save={settings.saveRoute}
      remove={settings.deleteRoute}
      onChanged={onChanged}
      onError={onError}
    />
  );
}

interface FormProps {
  route: RouteView | null;
  sinkNames: string[];
  onSave: (body: RouteBody) => void;
  onCancel: () => void;
}

function RouteForm({ route, sinkNames, onSave, onCancel }: FormProps) {
  const [name, setName] = useState(route?.name ?? '');
  const [sinks, setSinks] = useState(route?.sinks.join(', ') ?? '');
  const match = useMatchFields(route?.match);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSave({ name, match: match.value(), sinks: listOf(sinks) });
  };
  return (
    <form className="settings-form" aria-label={route ? 'edit route' : 'route form'} onSubmit={submit}>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} readOnly={route !== null} required />
      </label>
      <label>
        Sinks (comma-separated: {sinkNames.join(', ')})
        <input value={sinks} onChange={(e) => setSinks(e.target.value)} required />
      </label>
      <MatchFields fields={match} />
      {route ? (
        <>
          <button type="submit">Save route</button>{' '}
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </>
      ) : (
        <button type="submit">Add route</button>
      )}
    </form>
  );
}
