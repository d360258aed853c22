// The alerting settings of the API (server/alert_settings_routes.h): sinks, routes and mute
// windows, the file's (read-only, source "file") and the stored ones; a sink's test alert and its
// outcome; silences (POST/GET/DELETE /api/silences). A sink's secrets are write-only: the server
// answers "<secret>_set", never the value.
import type { ApiClient } from './client';

export type SinkType = 'slack' | 'email' | 'webhook' | 'pagerduty' | 'alertmanager';
export const SINK_TYPES: SinkType[] = ['slack', 'email', 'webhook', 'pagerduty', 'alertmanager'];
export type Source = 'file' | 'store';

export interface AlertMatch {
  provider?: string[];
  model?: string[];
  metric?: string[];
  rule?: string[];
  severity?: string[];
}

export interface SinkView {
  name: string;
  type: SinkType;
  source: Source;
  version?: number;
  url?: string;
  url_env?: string;
  url_set?: boolean;
  secret_set?: boolean;
  routing_key_set?: boolean;
  password_set?: boolean;
  from?: string;
  to?: string[];
  username?: string;
  starttls?: boolean;
  timeout_s: number;
  send_resolved: boolean;
  firing_for_s?: number;
}

// What a form sends: the sink's fields and the secrets typed in (left out: kept).
export type SinkInput = Record<string, unknown> & { name: string; type: SinkType };

export interface RouteView {
  name: string;
  source: Source;
  version?: number;
  match: AlertMatch;
  sinks: string[];
}

export interface MuteView {
  name: string;
  source: Source;
  version?: number;
  match: AlertMatch;
  start?: string;
  end?: string;
  days?: string[];
  from?: string;
  to?: string;
}

export interface Delivery {
  key: string;
  sink: string;
  state: 'pending' | 'delivered' | 'failed' | 'suppressed';
  attempts: number;
  last_error: string | null;
  delivered: string | null;
}

export interface Silence {
  id: number;
  provider: string | null;
  model: string | null;
  metric: string | null;
  rule: string | null;
  starts_at: string;
  ends_at: string;
  active: boolean;
  created_by: string;
  comment: string;
}

export interface SilenceInput {
  provider?: string;
  model?: string;
  metric?: string;
  rule?: string;
  duration: string;
  comment?: string;
  created_by?: string;
}

const item = (kind: string, name: string) => `/api/alerts/${kind}/${encodeURIComponent(name)}`;

export function alertSettingsApi(api: ApiClient) {
  return {
    sinks: () => api.request<{ sinks: SinkView[] }>('GET', '/api/alerts/sinks').then((r) => r.sinks),
    saveSink: (s: SinkInput, isNew: boolean) =>
      isNew ? api.request<SinkView>('POST', '/api/alerts/sinks', s) : api.request<SinkView>('PUT', item('sinks', s.name), s),
    deleteSink: (name: string) => api.request('DELETE', item('sinks', name)),
    testSink: (name: string) => api.request<{ key: string }>('POST', item('sinks', name) + '/test'),
    testOutcome: (key: string) => api.request<Delivery>('GET', '/api/alerts/test?key=' + encodeURIComponent(key)),
    routes: () => api.request<{ routes: RouteView[] }>('GET', '/api/alerts/routes').then((r) => r.routes),
    // An edit sends the version it read (409 when the item changed since, or is the file's).
    saveRoute: (r: { name: string; match: AlertMatch; sinks: string[]; version?: number }, isNew: boolean) =>
      isNew ? api.request<RouteView>('POST', '/api/alerts/routes', r) : api.request<RouteView>('PUT', item('routes', r.name), r),
    deleteRoute: (name: string) => api.request('DELETE', item('routes', name)),
    mutes: () => api.request<{ mutes: MuteView[] }>('GET', '/api/alerts/mutes').then((r) => r.mutes),
    saveMute: (m: Omit<MuteView, 'source'>, isNew: boolean) =>
      isNew ? api.request<MuteView>('POST', '/api/alerts/mutes', m) : api.request<MuteView>('PUT', item('mutes', m.name), m),
    deleteMute: (name: string) => api.request('DELETE', item('mutes', name)),
    silences: () => api.request<{ silences: Silence[] }>('GET', '/api/silences').then((r) => r.silences),
    addSilence: (s: SilenceInput) => api.request<Silence>('POST', '/api/silences', s),
    endSilence: (id: number) => api.request('DELETE', `/api/silences/${id}`),
  };
}
export type AlertSettingsApi = ReturnType<typeof alertSettingsApi>;

// The outcome of a test alert in words: delivered, still being tried (with the last error), or
// failed with the error.
export function testOutcomeText(d: Delivery): string {
  if (d.state === 'delivered') return 'Delivered';
  if (d.state === 'failed') return `Failed: ${d.last_error ?? 'no reason given'}`;
  if (d.state === 'suppressed') return `Not sent: ${d.last_error ?? ''}`;
  return d.attempts > 0 ? `Not delivered yet (attempt ${d.attempts}): ${d.last_error ?? ''}` : 'Sending…';
}

// "a, b ,c" → ["a", "b", "c"]; empty parts dropped.
export function listOf(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
