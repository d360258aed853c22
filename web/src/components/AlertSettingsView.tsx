// The Alerts page: sinks, routes, mute windows and silences, edited live (docs/design.md
// "Settings"). Items of the config file are shown read-only. Errors (a field the server refused,
// named in its message) go to the page's banner.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ApiClient } from '../api/client';
import { alertSettingsApi, type MuteView, type RouteView, type Silence, type SinkView } from '../api/alert_settings';
import { AlertRoutes } from './AlertRoutes';
import { AlertSinks } from './AlertSinks';
import { MuteWindows } from './MuteWindows';
import { Silences } from './Silences';

interface Loaded {
  sinks: SinkView[];
  routes: RouteView[];
  mutes: MuteView[];
  silences: Silence[];
}

export function AlertSettingsView({ api, onError }: { api: ApiClient; onError: (e: unknown) => void }) {
  const settings = useMemo(() => alertSettingsApi(api), [api]);
  const [loaded, setLoaded] = useState<Loaded>({ sinks: [], routes: [], mutes: [], silences: [] });
  const reload = useCallback(() => {
    Promise.all([settings.sinks(), settings.routes(), settings.mutes(), settings.silences()]).then(
      ([sinks, routes, mutes, silences]) => setLoaded({ sinks, routes, mutes, silences }),
      onError,
    );
  }, [settings, onError]);
  useEffect(reload, [reload]);

  return (
    <div className="alert-settings" aria-label="alert settings">
      <h2>Alerting</h2>
      <AlertSinks settings={settings} sinks={loaded.sinks} onChanged={reload} onError={onError} />
      <AlertRoutes settings={settings} routes={loaded.routes} sinkNames={loaded.sinks.map((s) => s.name)} onChanged={reload} onError={onError} />
      <MuteWindows settings={settings} mutes={loaded.mutes} onChanged={reload} onError={onError} />
      <Silences settings={settings} silences={loaded.silences} onChanged={reload} onError={onError} />
    </div>
  );
}
