// The time window: a preset (kept in localStorage for the next visit) or a custom range, with the
// `hours` to ask the API for and the end of a custom window. Both are computed when the window
// is picked, not per render: a custom window counts back from the moment it was picked.
import { useCallback, useState } from 'react';
import { windowHours, type TimeWindow, type WindowPreset } from '../lib/window';

export const WINDOW_STORAGE = 'llmscope.window';

export interface PickedWindow {
  window: TimeWindow;
  hours: number;
  untilMs?: number;
}

function storedPreset(): WindowPreset {
  const p = localStorage.getItem(WINDOW_STORAGE);
  return p === '6h' || p === '24h' || p === '7d' ? p : '1h';
}

function picked(window: TimeWindow): PickedWindow {
  return { window, ...windowHours(window, Date.now()) };
}

export function useTimeWindow(): PickedWindow & { setWindow: (w: TimeWindow) => void } {
  const [state, setState] = useState(() => picked({ preset: storedPreset() }));
  const setWindow = useCallback((w: TimeWindow) => {
    if (w.preset !== 'custom') localStorage.setItem(WINDOW_STORAGE, w.preset);
    setState(picked(w));
  }, []);
  return { ...state, setWindow };
}
