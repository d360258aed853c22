// ApiClient: JSON requests to the LLMscope API with the key as "Authorization: Bearer <key>".
// Every failure becomes an ApiError carrying the HTTP status and the server's error code and
// message; a 401 has its own plain-language message so the page can ask for the key again.
import type {
  CostReply,
  Metric,
  PChartView,
  PriceEntry,
  Sample,
  SeriesInfo,
  SeriesSettingsEdit,
  SeriesSettingsReply,
  Slo,
  SloReply,
  SourceKey,
  SpcView,
  Stage,
  StatusReport,
  SystemNow,
  Violation,
  ViolationStatus,
} from './types';
import { spanParams, type Span } from '../lib/window';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  get unauthorized(): boolean {
    return this.status === 401;
  }
}

export const UNAUTHORIZED_MESSAGE =
  'The server refused the API key (401 Unauthorized). Enter the key that `llmscope serve` uses ' +
  '(LLMSCOPE_API_KEY, or the file api_key in its data directory).';

export interface ViolationFilter {
  provider?: string;
  model?: string;
  metric?: Metric;
  rule?: string;
  status?: ViolationStatus;
  severity?: string; // a comma list (critical,warning); the server filters, an older one ignores it
  hours?: number;
  since?: string; // ISO 8601; with `until`, instead of `hours`
  until?: string;
  limit?: number;
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

export function sourceParams(s: SourceKey): Record<string, string> {
  const p: Record<string, string> = { provider: s.provider, model: s.model };
  if (s.site) p.site = s.site;
  if (s.profile) p.profile = s.profile;
  return p;
}


// /api/series/{provider}/{model}/{metric}/{action}?site=&profile= (the model may hold '/').
export function seriesPath(
  series: { provider: string; model: string; metric: Metric; site: string; profile: string },
  action: string,
): string {
  return (
    `/api/series/${encodeURIComponent(series.provider)}/${series.model.split('/').map(encodeURIComponent).join('/')}` +
    `/${series.metric}/${action}` +
    query({ site: series.site, profile: series.profile })
  );
}

export class ApiClient {
  constructor(
    private readonly key: () => string,
    private readonly base = '',
    private readonly fetchImpl: typeof fetch = (...a) => fetch(...a),
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: `Bearer ${this.key()}`, ...extra };
  }

  async request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    const res = await this.raw(method, path, body);
    return (await res.json()) as T;
  }

  // The response of a successful request, for bodies that are not JSON (CSV).
  async raw(method: HttpMethod, path: string, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.base + path, {
        method,
        headers: this.headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, 'network', `The server cannot be reached (${String(e)})`);
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  series(): Promise<{ series: SeriesInfo[] }> {
    return this.request('GET', '/api/series');
  }
  // The chart of a span as at most about `maxPoints` display points (the server's M4), with every
  // violation of the span in `violation_marks`.
  spc(source: SourceKey, metric: Metric, span: Span, maxPoints: number, slo?: Slo) {
    return this.request<SpcView>(
      'GET',
      '/api/stats/spc' +
        query({
          ...sourceParams(source),
          metric,
          ...spanParams(span),
          max_points: maxPoints,
          usl: slo?.usl,
          lsl: slo?.lsl,
          columns: 'chart',
        }),
    );
  }
  pchart(source: SourceKey, span: Span, subgroup?: number) {
    return this.request<PChartView>('GET', '/api/stats/pchart' + query({ ...sourceParams(source), ...spanParams(span), subgroup }));
  }
  violations(f: ViolationFilter = {}) {
    return this.request<{ violations: Violation[]; count: number }>('GET', '/api/violations' + query({ ...f }));
  }
  violation(id: number) {
    return this.request<Violation>('GET', `/api/violations/${id}`);
  }
  // One stored sample, or null when the server has none by that id (retention deleted it, or a
  // server from before GET /api/samples/{id}).
  async getSample(id: number): Promise<Sample | null> {
    try {
      return await this.request<Sample>('GET', `/api/samples/${id}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }
  setStatus(id: number, action: 'acknowledge' | 'resolve', by = 'dashboard') {
    return this.request<Violation>('POST', `/api/violations/${id}/${action}`, { by });
  }
  newStage(series: { provider: string; model: string; metric: Metric; site: string; profile: string }) {
    return this.request<Stage>('POST', seriesPath(series, 'stages'), {});
  }
  // The series' stored SLO; null when none is set.
  slo(series: SourceKey & { metric: Metric }): Promise<SloReply | null> {
    return this.request<SloReply>('GET', seriesPath(series, 'slo')).catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    });
  }
  // Stores the SLO, or removes it when it has no limit.
  async saveSlo(series: SourceKey & { metric: Metric }, slo: Slo): Promise<void> {
    if (slo.usl === undefined && slo.lsl === undefined) {
      await this.raw('DELETE', seriesPath(series, 'slo')).catch((e: unknown) => {
        if (!(e instanceof ApiError && e.status === 404)) throw e;
      });
      return;
    }
    await this.request('PUT', seriesPath(series, 'slo'), { usl: slo.usl ?? null, lsl: slo.lsl ?? null });
  }
  seriesSettings(series: SourceKey & { metric: Metric }) {
    return this.request<SeriesSettingsReply>('GET', seriesPath(series, 'settings'));
  }
  // Saves the series' overrides; `newStage` confirms a change of the limits (else 409
  // confirm_new_stage). Without any field set, removes them.
  async saveSeriesSettings(series: SourceKey & { metric: Metric }, edit: SeriesSettingsEdit, newStage: boolean): Promise<void> {
    const base = seriesPath(series, 'settings');
    const path = newStage ? base + (base.includes('?') ? '&' : '?') + 'new_stage=true' : base;
    if (Object.values(edit).every((v) => v === null || v === undefined)) {
      await this.raw('DELETE', path).catch((e: unknown) => {
        if (!(e instanceof ApiError && e.status === 404)) throw e;
      });
      return;
    }
    await this.request('PUT', path, edit);
  }
  prices() {
    return this.request<{ prices: PriceEntry[] }>('GET', '/api/prices');
  }
  savePrice(provider: string, model: string, input: number, output: number) {
    const path = `/api/prices/${encodeURIComponent(provider)}/${model.split('/').map(encodeURIComponent).join('/')}`;
    return this.request<PriceEntry>('PUT', path, { input_usd_per_mtok: input, output_usd_per_mtok: output });
  }
  cost(group: string) {
    return this.request<CostReply>('GET', '/api/cost' + query({ group }));
  }
  system() {
    return this.request<SystemNow>('GET', '/api/system');
  }
  // Every source's state, current e2e p50/p95 and sparkline (the overview).
  status() {
    return this.request<StatusReport>('GET', '/api/status');
  }
  // Whether the store holds the demo day's data; deleting it (docs/design.md "Demo day").
  demo() {
    return this.request<{ demo: boolean }>('GET', '/api/demo');
  }
  deleteDemo() {
    return this.request<{ deleted: boolean; rows: number }>('DELETE', '/api/demo');
  }
  violationsCsv(f: ViolationFilter = {}) {
    return this.raw('GET', '/api/export/violations' + query({ ...f })).then((r) => r.text());
  }
  samplesCsv(source: SourceKey | null, span: Span) {
    return this.raw('GET', '/api/export/samples' + query({ ...(source ? sourceParams(source) : {}), ...spanParams(span) })).then(
      (r) => r.text(),
    );
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  if (res.status === 401) return new ApiError(401, 'unauthorized', UNAUTHORIZED_MESSAGE);
  let code = 'http_' + res.status;
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, code, message);
}
