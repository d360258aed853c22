// The form of one alert sink, its fields by type (alert_settings_routes.h). Secrets (a Slack
// webhook URL, a webhook's signing secret, a PagerDuty routing key, an SMTP password) are typed
// into password fields and never shown again: an empty field keeps the stored one.
import { useState, type FormEvent } from 'react';
import { SINK_TYPES, listOf, type SinkInput, type SinkType, type SinkView } from '../api/alert_settings';

interface Props {
  sink: SinkView | null; // null: a new sink
  onSave: (s: SinkInput) => void;
  onCancel: () => void;
}

export function SinkForm({ sink, onSave, onCancel }: Props) {
  const [name, setName] = useState(sink?.name ?? '');
  const [type, setType] = useState<SinkType>(sink?.type ?? 'webhook');
  const [url, setUrl] = useState(sink?.url ?? '');
  const [secret, setSecret] = useState('');
  const [from, setFrom] = useState(sink?.from ?? '');
  const [to, setTo] = useState((sink?.to ?? []).join(', '));
  const [username, setUsername] = useState(sink?.username ?? '');
  const [starttls, setStarttls] = useState(sink?.starttls ?? false);
  const [sendResolved, setSendResolved] = useState(sink?.send_resolved ?? true);
  const [timeout, setTimeoutS] = useState(String(sink?.timeout_s ?? 10));

  const secretField: Record<SinkType, { key: string; label: string; set?: boolean } | null> = {
    slack: { key: 'url', label: 'Slack webhook URL (secret)', set: sink?.url_set },
    webhook: { key: 'secret', label: 'Signing secret (HMAC, optional)', set: sink?.secret_set },
    pagerduty: { key: 'routing_key', label: 'Routing key', set: sink?.routing_key_set },
    email: { key: 'password', label: 'SMTP password (optional)', set: sink?.password_set },
    alertmanager: null,
  };
  const urlLabel: Record<SinkType, string | null> = {
    slack: null,
    webhook: 'URL',
    pagerduty: 'Events API URL (optional)',
    email: 'SMTP server (smtp://host:port or smtps://…)',
    alertmanager: 'Alertmanager URL',
  };
  const secretOf = secretField[type];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const out: SinkInput = { name, type, timeout_s: Number(timeout), send_resolved: sendResolved };
    if (urlLabel[type] && url !== '') out.url = url;
    if (secretOf && secret !== '') out[secretOf.key] = secret;
    if (type === 'email') {
      out.from = from;
      out.to = listOf(to);
      if (username !== '') out.username = username;
      out.starttls = starttls;
    }
    if (sink?.version) out.version = sink.version;
    onSave(out);
  };

  return (
    <form className="settings-form" aria-label="sink form" onSubmit={submit}>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} disabled={sink !== null} required />
      </label>
      <label>
        Type
        <select value={type} onChange={(e) => setType(e.target.value as SinkType)}>
          {SINK_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      {urlLabel[type] ? (
        <label>
          {urlLabel[type]}
          <input value={url} onChange={(e) => setUrl(e.target.value)} aria-label="url" />
        </label>
      ) : null}
      {secretOf ? (
        <label>
          {secretOf.label}
          <input
            type="password"
            autoComplete="off"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            aria-label={secretOf.key === 'url' ? 'url' : secretOf.key}
            placeholder={secretOf.set ? 'set (leave empty to keep)' : ''}
          />
        </label>
      ) : null}
      {type === 'email' ? (
        <>
          <label>
            From
            <input value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label>
            To (comma-separated)
            <input value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <label>
            Username
            <input value={username} onChange={(e) => setUsername(e.target.value)} />
          </label>
          <label className="check">
            <input type="checkbox" checked={starttls} onChange={(e) => setStarttls(e.target.checked)} /> Require STARTTLS
          </label>
        </>
      ) : null}
      <label>
        Timeout (s)
        <input type="number" min="0.1" step="0.1" value={timeout} onChange={(e) => setTimeoutS(e.target.value)} />
      </label>
      <label className="check">
        <input type="checkbox" checked={sendResolved} onChange={(e) => setSendResolved(e.target.checked)} /> Also send resolved notices
      </label>
      <div className="form-actions">
        <button type="submit">Save sink</button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
