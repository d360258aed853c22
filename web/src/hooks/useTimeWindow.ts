// The time window: a preset (kept in localStorage for the next visit) or a custom range, with
// the span to fetch.
import { useCallback, useMemo, useState } from 'react';
import { isPreset, windowSpan, type PresetWindow, type Span, type TimeWindow } from '../lib/window';

export const WINDOW_STORAGE = 'llmscope.window';

export function storedPreset(): PresetWindow {
  const p = localStorage.getItem(WINDOW_STORAGE);
  return isPreset(p) ? p : '1h';
}

export function useTimeWindow(): { window: TimeWindow; span: Span; setWindow: (w: TimeWindow) => void } {
  const [window, setState] = useState<TimeWindow>(() => ({ preset: storedPreset() }));
  const setWindow = useCallback((w: TimeWindow) => {
    if (w.preset !== 'custom') localStorage.setItem(WINDOW_STORAGE, w.preset);
    setState(w);
  }, []);
  const span = useMemo(() => windowSpan(window), [window]);
  return { window, span, setWindow };
}
