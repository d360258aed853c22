// What the chart shows (lib/selection.ts) and the address that says it (lib/route.ts): read from
// the address at start and on Back/Forward; picking a series pushes its address (Back returns to
// the one before), other changes (the window, the first series shown, a violation's series)
// replace it while no violation is open. A preset window is kept in localStorage for the next
// visit. A violation opened on the page pushes its address; closing it goes Back, or, when the
// page was opened at it, replaces it with the chart's. The overview of all sources and the other
// pages (lib/route.ts PAGES) have their own addresses; the page opens on the overview when it was
// opened at home and there are more than a few sources (lib/overview.ts).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Metric, SeriesInfo, SourceKey, Violation } from '../api/types';
import { opensOnOverview } from '../lib/overview';
import { formatHash, parseHash, type Page, type Route } from '../lib/route';
import { around, listedInstead, selected, withRoute, type Selection } from '../lib/selection';
import { sourceOf } from '../lib/series_key';
import { isPreset, windowSpan, type PresetWindow, type TimeWindow } from '../lib/window';

export const WINDOW_STORAGE = 'llmscope.window';

function storedPreset(): PresetWindow {
  const p = localStorage.getItem(WINDOW_STORAGE);
  return isPreset(p) ? p : '1h';
}

// history.state of the entries the page pushed: closing a violation opened here goes Back.
const PUSHED = { llmscope: 'pushed' };

function go(route: Route, mode: 'push' | 'replace') {
  const hash = formatHash(route);
  if (mode === 'push' && window.location.hash !== hash) window.history.pushState(PUSHED, '', hash);
  else if (mode === 'replace' && window.location.hash !== hash) window.history.replaceState(window.history.state, '', hash);
}

function initial(): { sel: Selection; openId: number | null; route: Route } {
  const route = parseHash(window.location.hash);
  const sel: Selection = { source: null, metric: 'e2e_ms', window: { preset: storedPreset() } };
  return { sel: withRoute(sel, route), openId: route.kind === 'violation' ? route.id : null, route };
}

export function useSelection() {
  const [start] = useState(initial);
  const [sel, setSel] = useState<Selection>(start.sel);
  const [openId, setOpenId] = useState<number | null>(start.openId);
  // The page shown instead of the chart, if any.
  const [page, setPage] = useState<Page | null>(start.route.kind === 'page' ? start.route.page : null);
  // Whether the first series list is still to come (it may open the overview).
  const firstList = useRef(start.route.kind === 'home');
  // The sources of the latest series list: a link that left out a source's site or profile shows
  // the listed source it means (lib/selection.ts listedInstead), and the address then names it
  // whole.
  const listed = useRef<SourceKey[]>([]);
  const meant = useCallback((s: Selection) => {
    const source = s.source && listedInstead(s.source, listed.current);
    return source ? selected(s, source, s.metric) : s;
  }, []);

  useEffect(() => {
    const apply = () => {
      const route = parseHash(window.location.hash);
      setOpenId(route.kind === 'violation' ? route.id : null);
      setPage(route.kind === 'page' ? route.page : null);
      setSel((s) => meant(withRoute(s, route)));
    };
    window.addEventListener('popstate', apply);
    window.addEventListener('hashchange', apply);
    return () => {
      window.removeEventListener('popstate', apply);
      window.removeEventListener('hashchange', apply);
    };
  }, [meant]);

  // The address follows the page or the chart while no violation is open.
  useEffect(() => {
    if (openId !== null) return;
    if (page) go({ kind: 'page', page }, 'replace');
    else if (sel.source) go({ kind: 'series', source: sel.source, metric: sel.metric, window: sel.window }, 'replace');
  }, [openId, page, sel]);

  // Pushed without its window, which the address gets by the effect above.
  const select = useCallback((source: SourceKey, metric: Metric) => {
    go({ kind: 'series', source, metric }, 'push');
    setPage(null);
    setSel((s) => selected(s, source, metric));
  }, []);
  const showPage = useCallback((p: Page) => {
    go({ kind: 'page', page: p }, 'push');
    setPage(p);
  }, []);
  // Back to the chart of the selection, pushed so that Back returns to the page.
  const showChart = useCallback(() => {
    if (parseHash(window.location.hash).kind === 'page') window.history.pushState(PUSHED, '', window.location.hash);
    setPage(null);
  }, []);
  const setMetric = useCallback((metric: Metric) => setSel((s) => ({ ...s, metric })), []);
  const setWindow = useCallback((w: TimeWindow) => {
    if (w.preset !== 'custom') localStorage.setItem(WINDOW_STORAGE, w.preset);
    setSel((s) => (s.source ? selected(s, s.source, s.metric, w) : { ...s, window: w }));
  }, []);
  // The first series is shown until another is picked; a page opened at home with many sources
  // shows the overview in front of it.
  const showFirst = useCallback((list: SeriesInfo[]) => {
    if (firstList.current && list.length > 0) {
      firstList.current = false;
      if (opensOnOverview(list)) setPage('overview');
    }
    listed.current = list.map(sourceOf);
    setSel((s) => (s.source ? meant(s) : list[0] ? selected(s, sourceOf(list[0]), s.metric) : s));
  }, [meant]);
  const openViolation = useCallback((id: number) => {
    go({ kind: 'violation', id }, 'push');
    setOpenId(id);
  }, []);
  // A violation loaded in the modal: its series and a window around it behind it.
  const showViolation = useCallback((v: Violation) => {
    const now = Date.now();
    setSel((s) => around(s, v, now));
  }, []);
  const closeViolation = useCallback(() => {
    if (window.history.state?.llmscope === PUSHED.llmscope) {
      window.history.back();
    } else {
      go({ kind: 'home' }, 'replace'); // the chart's address follows
      setOpenId(null);
    }
  }, []);

  const span = useMemo(() => windowSpan(sel.window), [sel.window]);
  return { ...sel, span, openId, page, select, setMetric, setWindow, showFirst, showPage, showChart, openViolation, showViolation, closeViolation };
}
