// The match of a route or mute window: comma lists of providers, models, metrics, rules and
// severities; an empty list matches everything. The fields start from `initial` (an item being
// edited) or empty.
import { useState } from 'react';
import { listOf, type AlertMatch } from '../api/alert_settings';

const KEYS: (keyof AlertMatch)[] = ['provider', 'model', 'metric', 'rule', 'severity'];

function textOf(m: AlertMatch): Record<string, string> {
  const text: Record<string, string> = {};
  for (const k of KEYS) if (m[k]?.length) text[k] = m[k]!.join(', ');
  return text;
}

export function useMatchFields(initial: AlertMatch = {}) {
  const [text, setText] = useState<Record<string, string>>(() => textOf(initial));
  return {
    text,
    set: (k: keyof AlertMatch, v: string) => setText((t) => ({ ...t, [k]: v })),
    value: (): AlertMatch => {
      const m: AlertMatch = {};
      for (const k of KEYS) {
        const list = listOf(text[k] ?? '');
        if (list.length) m[k] = list;
      }
      return m;
    },
  };
}

export function MatchFields({ fields }: { fields: ReturnType<typeof useMatchFields> }) {
  return (
    <fieldset className="match-fields">
      <legend>Match (empty: every alert)</legend>
      {KEYS.map((k) => (
        <label key={k}>
          {k}
          <input value={fields.text[k] ?? ''} onChange={(e) => fields.set(k, e.target.value)} />
        </label>
      ))}
    </fieldset>
  );
}

export function matchText(m: AlertMatch): string {
  const parts = KEYS.filter((k) => m[k]?.length).map((k) => `${k} ${m[k]!.join('|')}`);
  return parts.length ? parts.join(', ') : 'every alert';
}
