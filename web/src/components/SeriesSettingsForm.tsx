// The selected series' overrides of the config file (GET/PUT/DELETE …/settings; docs/design.md
// "Per-series overrides"): each field shows its effective value and whether it comes from the
// override or the config; an empty field takes the config's. A change of the limits (baseline,
// transform) is refused by the server with 409 confirm_new_stage: the form asks, and sends it
// again with the new stage confirmed.
import { useEffect, useState } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import type { Metric, SeriesSettingsEdit, SeriesSettingsReply, SourceKey } from '../api/types';
import { ConfirmDialog } from './ConfirmDialog';

interface Draft {
  baseline: string;
  transform: '' | 'log' | 'none';
  rules: string;
  budget: string;
}

function draftOf(r: SeriesSettingsReply): Draft {
  const o = r.override ?? {};
  return {
    baseline: o.baseline === undefined ? '' : String(o.baseline),
    transform: o.transform ?? '',
    rules: o.rules ?? '',
    budget: o.false_alerts_per_30d === undefined ? '' : String(o.false_alerts_per_30d),
  };
}

function editOf(d: Draft): SeriesSettingsEdit {
  const num = (t: string) => (t.trim() === '' ? null : Number(t));
  return {
    baseline: num(d.baseline),
    transform: d.transform === '' ? null : d.transform,
    rules: d.rules.trim() === '' ? null : d.rules.trim(),
    false_alerts_per_30d: num(d.budget),
  };
}

export function SeriesSettingsForm(p: { api: ApiClient; source: SourceKey; metric: Metric; onError: (e: unknown) => void }) {
  const { api, source, metric, onError } = p;
  const key = JSON.stringify([source.provider, source.model, source.site, source.profile, metric]);
  // The reply with the series it belongs to: another series' settings are never shown.
  const [loaded, setLoaded] = useState<{ key: string; reply: SeriesSettingsReply } | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [reloads, setReloads] = useState(0);
  const [asking, setAsking] = useState<string | null>(null); // the server's message: what would change
  const [saved, setSaved] = useState<string | null>(null); // the series whose settings were saved

  useEffect(() => {
    let current = true;
    api.seriesSettings({ ...source, metric }).then((r) => {
      if (!current) return;
      setLoaded({ key, reply: r });
      setDraft(draftOf(r));
    }, onError);
    return () => {
      current = false;
    };
  }, [api, source, metric, key, reloads, onError]);

  const save = (newStage: boolean) => {
    if (!draft) return;
    setSaved(null);
    api.saveSeriesSettings({ ...source, metric }, editOf(draft), newStage).then(
      () => {
        setAsking(null);
        setSaved(key);
        setReloads((n) => n + 1);
      },
      (e: unknown) => {
        if (e instanceof ApiError && e.code === 'confirm_new_stage') return setAsking(e.message);
        onError(e);
      },
    );
  };

  const reply = loaded?.key === key ? loaded.reply : null;
  if (!reply || !draft) return null;
  const from = (f: keyof SeriesSettingsReply['source']) => (reply.source[f] === 'override' ? 'override' : 'config');
  return (
    <form
      className="series-settings"
      aria-label="series settings"
      onSubmit={(e) => {
        e.preventDefault();
        save(false);
      }}
    >
      <h3>Series settings</h3>
      <label>
        Baseline B <small data-testid="settings-baseline-source">{`${reply.effective.baseline} (${from('baseline')})`}</small>
        <input
          inputMode="numeric"
          placeholder={String(reply.config.baseline)}
          value={draft.baseline}
          onChange={(e) => setDraft({ ...draft, baseline: e.target.value })}
        />
      </label>
      <label>
        Transform <small>{`${reply.effective.transform} (${from('transform')})`}</small>
        <select value={draft.transform} onChange={(e) => setDraft({ ...draft, transform: e.target.value as Draft['transform'] })}>
          <option value="">config ({reply.config.transform})</option>
          <option value="log">log</option>
          <option value="none">none</option>
        </select>
      </label>
      <label>
        Rules <small>{`${reply.effective.rules} (${from('rules')})`}</small>
        <input placeholder={reply.config.rules} value={draft.rules} onChange={(e) => setDraft({ ...draft, rules: e.target.value })} />
      </label>
      <label>
        False alerts / 30 d <small>{`${reply.effective.false_alerts_per_30d} (${from('false_alerts_per_30d')})`}</small>
        <input
          inputMode="decimal"
          placeholder={String(reply.config.false_alerts_per_30d)}
          value={draft.budget}
          onChange={(e) => setDraft({ ...draft, budget: e.target.value })}
        />
      </label>
      <button type="submit">Save settings</button>
      {saved === key ? (
        <span className="muted" data-testid="settings-saved">
          Saved
        </span>
      ) : null}
      {asking !== null ? (
        <ConfirmDialog
          title="Start a new stage?"
          text={`This changes the limits: start a new stage? (${asking})`}
          confirm="Start new stage"
          onConfirm={() => save(true)}
          onCancel={() => setAsking(null)}
        />
      ) : null}
    </form>
  );
}
