// The setup wizard's alert step (docs/design.md "Settings"): a webhook or Slack URL becomes an
// alert sink, with a route that sends it every alert, and a test alert goes out at once; its
// outcome (delivered, or the error in words) shows here. Other sink types, routes and mute
// windows are on the Alerts page. Leaving the URL empty adds nothing.
import { useMemo, useState } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import { alertSettingsApi, testOutcomeText } from '../api/alert_settings';

const POLLS = 30; // every 500 ms: 15 s for the test alert's outcome

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function WizardAlertStep({ api }: { api: ApiClient }) {
  const settings = useMemo(() => alertSettingsApi(api), [api]);
  const [type, setType] = useState<'webhook' | 'slack'>('webhook');
  const [url, setUrl] = useState('');
  const [outcome, setOutcome] = useState('');
  const [busy, setBusy] = useState(false);

  const addAndTest = async () => {
    const name = `${type}-setup`;
    setBusy(true);
    setOutcome('Sending a test alert…');
    try {
      await settings.saveSink({ name, type, url }, true);
      await settings.saveRoute({ name: `${name}-all`, match: {}, sinks: [name] }, true);
      const { key } = await settings.testSink(name);
      for (let i = 0; i < POLLS; ++i) {
        const d = await settings.testOutcome(key);
        setOutcome(`${name}: ${testOutcomeText(d)}`);
        if (d.state !== 'pending') break;
        await wait(500);
      }
    } catch (e: unknown) {
      setOutcome(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="wizard-alerts">
      <p>
        To be told of incidents, give a webhook or a Slack incoming-webhook URL: it gets every alert, and a test alert now. Other sinks
        (e-mail, PagerDuty, Alertmanager), routes and mute windows are on the Alerts page. Leave it empty to skip.
      </p>
      <label>
        sink
        <select value={type} onChange={(e) => setType(e.target.value as 'webhook' | 'slack')} aria-label="sink type">
          <option value="webhook">webhook</option>
          <option value="slack">slack</option>
        </select>
      </label>
      <label>
        URL
        <input value={url} onChange={(e) => setUrl(e.target.value)} aria-label="alert URL" type={type === 'slack' ? 'password' : 'url'} />
      </label>
      <button type="button" onClick={() => void addAndTest()} disabled={busy || url.trim() === ''}>
        Add and send a test
      </button>
      {outcome ? (
        <p className="muted" data-testid="wizard-alert-outcome">
          {outcome}
        </p>
      ) : null}
    </div>
  );
}
