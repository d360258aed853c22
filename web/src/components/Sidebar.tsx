// The sources and their series (searchable, grouped by provider, trouble first), the time window
// and live/paused.
import type { Metric, SeriesInfo, SourceKey } from '../api/types';
import { PRESETS, type TimeWindow } from '../lib/window';
import { SourceList } from './SourceList';

interface Props {
  series: SeriesInfo[];
  selected: SourceKey | null;
  metric: Metric;
  onSelect: (s: SourceKey, metric: Metric) => void;
  window: TimeWindow;
  onWindow: (w: TimeWindow) => void;
  live: boolean;
  onLive: (live: boolean) => void;
  streamState: string;
}

function localInput(ms: number | undefined): string {
  if (ms === undefined) return '';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}

export function Sidebar(p: Props) {
  return (
    <aside className="sidebar card" aria-label="series">
      <h2>Series</h2>
      <SourceList series={p.series} selected={p.selected} metric={p.metric} onSelect={p.onSelect} />
      <h2>Window</h2>
      <div className="segmented" role="group" aria-label="time window">
        {PRESETS.map((w) => (
          <button
            type="button"
            key={w}
            aria-pressed={p.window.preset === w}
            className={p.window.preset === w ? 'active' : ''}
            onClick={() =>
              p.onWindow(w === 'custom' ? { preset: w, fromMs: Date.now() - 3 * 3600000 } : { preset: w })
            }
          >
            {w}
          </button>
        ))}
      </div>
      {p.window.preset === 'custom' ? <CustomRange window={p.window} onWindow={p.onWindow} /> : null}
      <h2>Updates</h2>
      <div className="segmented" role="group" aria-label="live or paused">
        <button type="button" aria-pressed={p.live} className={p.live ? 'active' : ''} onClick={() => p.onLive(true)}>
          ▶ Live
        </button>
        <button type="button" aria-pressed={!p.live} className={!p.live ? 'active' : ''} onClick={() => p.onLive(false)}>
          ❚❚ Paused
        </button>
      </div>
      <p className="muted" data-testid="stream-state">
        stream: {p.streamState}
      </p>
    </aside>
  );
}

// The ends of a custom window in local time; "to" left empty: the window ends now.
function CustomRange({ window: w, onWindow }: { window: TimeWindow & { preset: 'custom' }; onWindow: (w: TimeWindow) => void }) {
  const parsed = (text: string) => (text ? new Date(text).getTime() : NaN);
  return (
    <div className="custom-window">
      <label>
        from
        <input
          type="datetime-local"
          value={localInput(w.fromMs)}
          onChange={(e) => {
            const from = parsed(e.target.value);
            if (Number.isFinite(from)) onWindow({ ...w, fromMs: from });
          }}
        />
      </label>
      <label>
        to
        <input
          type="datetime-local"
          value={localInput(w.toMs)}
          onChange={(e) => {
            const to = parsed(e.target.value);
            onWindow({ preset: 'custom', fromMs: w.fromMs, ...(Number.isFinite(to) ? { toMs: to } : {}) });
          }}
        />
      </label>
    </div>
  );
}
