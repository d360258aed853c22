// The dashboard: the key, the series, the overview of all sources, the selected chart with its
// panels, the violation log, the comparison, exports and the live stream that keeps them current.
import { useCallback, useMemo, useRef, useState } from 'react';
import type { ViolationFilter } from './api/client';
import type { Violation } from './api/types';
import { telemetryAt } from './lib/chart_data';
import { limitsAt } from './lib/limit_labels';
import { downloadText, downloadUrl } from './lib/download';
import { INITIAL_LIVE_STATE, withChartReload, withIncoming, withSeriesReload, type LiveState } from './lib/live_state';
import { sameSource } from './lib/series_key';
import { useApiSession } from './hooks/useApiSession';
import { useChartData } from './hooks/useChartData';
import { useLiveStream } from './hooks/useLiveStream';
import { useSeriesList } from './hooks/useSeriesList';
import { useSelection } from './hooks/useSelection';
import { useSetupWizard } from './hooks/useSetupWizard';
import { useStoredSlo } from './hooks/useStoredSlo';
import { useZoomDetail } from './hooks/useZoomDetail';
import { AlertSettingsView } from './components/AlertSettingsView';
import { ChartCard } from './components/ChartCard';
import { CompareView } from './components/CompareView';
import { DemoBanner } from './components/DemoBanner';
import { CostView } from './components/CostView';
import type { ControlChartHandle } from './components/ControlChart';
import { KeyPrompt } from './components/KeyPrompt';
import { Overview } from './components/Overview';
import { SeriesSettingsForm } from './components/SeriesSettingsForm';
import { SetupWizard } from './components/SetupWizard';
import { Sidebar } from './components/Sidebar';
import { StatsPanel } from './components/StatsPanel';
import { SystemPanel } from './components/SystemPanel';
import { TargetsPage } from './components/TargetsPage';
import { TopBar, type View } from './components/TopBar';
import { ViolationLog } from './components/ViolationLog';
import { ViolationModal } from './components/ViolationModal';

export function App({ base = '' }: { base?: string }) {
  const { key, api, authMessage, error, fail, clearError, saveKey, forgetKey } = useApiSession(base);
  const [data, setData] = useState<LiveState>(INITIAL_LIVE_STATE);
  const {
    source,
    metric,
    window: win,
    span,
    openId,
    page,
    select,
    setMetric,
    setWindow,
    showFirst,
    showPage,
    showChart,
    openViolation,
    showViolation,
    closeViolation,
  } = useSelection();
  const { slo, save: saveSlo, loads: sloLoads } = useStoredSlo({ api, enabled: key !== null, source, metric, onError: fail });
  const [live, setLive] = useState(true);
  const [hover, setHover] = useState<number | null>(null);
  const logFilter = useRef<ViolationFilter>({});
  const chartRef = useRef<ControlChartHandle>(null);

  useSeriesList({ api, enabled: key !== null, reloads: data.seriesReloads, setLive: setData, onLoaded: showFirst, onError: fail });
  const query = useMemo(() => (key && source ? { source, metric, span, slo } : null), [key, source, metric, span, slo]);
  // Before the first chart is drawn, the page's width stands in for the plot's.
  const plotPixels = useCallback(() => chartRef.current?.plotPixels() ?? window.innerWidth * devicePixelRatio, []);
  useChartData({ api, query, plotPixels, reloads: data.chartReloads, pchartStale: data.pchartStale, setLive: setData, onLoaded: clearError, onError: fail });
  const downsampledX = data.chart?.windowStats ? data.chart.model.x : null;
  const onZoom = useZoomDetail({ api, query, load: data.chart?.load, downsampledX, plotPixels, setLive: setData, onError: fail });
  const streamState = useLiveStream({ base, apiKey: key, view: { live, source, metric, span }, setLive: setData, onError: fail });
  const rememberLogFilter = useCallback((f: ViolationFilter) => (logFilter.current = f), []);
  const setup = useSetupWizard(api, key !== null);

  if (!key) return <KeyPrompt message={authMessage} onKey={saveKey} />;

  const chart = data.chart;
  const shown = source ? data.series.find((s) => sameSource(s, source) && s.metric === metric) : undefined;
  const shownView: View = page ?? 'chart';
  const changeView = (v: View) => (v === 'chart' ? showChart() : showPage(v));
  // Resuming fetches what was missed while paused.
  const pause = (on: boolean) => {
    setLive(on);
    if (on) setData(withChartReload);
  };
  const newStage = () => {
    if (!source) return;
    api.newStage({ ...source, metric }).then(() => setData((s) => withChartReload(withSeriesReload(s))), fail);
  };
  const exportViolations = () =>
    api.violationsCsv({ ...logFilter.current, limit: undefined }).then((t) => downloadText('llmscope-violations.csv', t), fail);
  const exportSamples = () => api.samplesCsv(source, span).then((t) => downloadText('llmscope-samples.csv', t), fail);
  const exportPng = () => {
    const url = chartRef.current?.png();
    if (url) downloadUrl(`llmscope-${metric}.png`, url);
  };

  return (
    <div className="app">
      <TopBar
        view={shownView}
        onView={changeView}
        onViolationsCsv={exportViolations}
        onSamplesCsv={exportSamples}
        onChartPng={exportPng}
        onChangeKey={forgetKey}
        onSetup={setup.show}
      />
      {error ? (
        <p className="alert banner" role="alert">
          {error}
        </p>
      ) : null}
      <DemoBanner api={api} onError={fail} />
      <div className="layout">
        <Sidebar
          series={data.series}
          selected={source}
          metric={metric}
          onSelect={select}
          window={win}
          onWindow={setWindow}
          live={live}
          onLive={pause}
          streamState={streamState}
        />
        <main className="main">
          {shownView === 'overview' ? (
            <Overview api={api} onOpen={(s) => select(s, 'e2e_ms')} onError={fail} />
          ) : shownView === 'targets' ? (
            <TargetsPage api={api} onSetup={setup.show} />
          ) : shownView === 'alerts' ? (
            <AlertSettingsView api={api} onError={fail} />
          ) : shownView === 'cost' ? (
            <CostView api={api} onError={fail} />
          ) : shownView === 'compare' ? (
            <CompareView api={api} series={data.series} metric={metric} span={span} onError={fail} />
          ) : (
            <ChartCard
              source={source}
              series={shown}
              metric={metric}
              onMetric={(m) => (source ? select(source, m) : setMetric(m))}
              chart={chart}
              chartRef={chartRef}
              onHover={setHover}
              onOpenViolation={openViolation}
              onZoom={onZoom}
              onNewStage={newStage}
            />
          )}
          {shownView === 'overview' || shownView === 'targets' || shownView === 'alerts' || shownView === 'cost' ? null : (
            <div className="panels">
              <StatsPanel
                values={chart?.model.y ?? []}
                windowStats={chart?.windowStats ?? null}
                limits={chart ? limitsAt(chart.model.segments, Infinity) : null}
                metric={metric}
                capability={chart?.capability ?? null}
                byRule={chart?.byRule ?? {}}
                marksTruncated={chart?.marksTruncated ?? false}
                slo={slo}
                onSlo={saveSlo}
                sloLoads={sloLoads}
              />
              {key && source && metric !== 'error' ? (
                <section className="card" aria-label="series settings card">
                  <SeriesSettingsForm api={api} source={source} metric={metric} onError={fail} />
                </section>
              ) : null}
              <SystemPanel api={api} at={telemetryAt(chart?.model ?? null, hover)} />
            </div>
          )}
          <ViolationLog api={api} incoming={data.incoming} onOpen={openViolation} onFilter={rememberLogFilter} onError={fail} />
        </main>
      </div>
      {setup.open ? (
        <SetupWizard
          api={api}
          onClose={setup.close}
          onDone={(t) => {
            setup.close();
            select({ provider: t.provider, model: t.model, site: '', profile: t.profiles?.[0]?.name ?? 'short' }, 'e2e_ms');
          }}
        />
      ) : null}
      {openId !== null ? (
        <ViolationModal
          api={api}
          id={openId}
          onLoaded={showViolation}
          onClose={closeViolation}
          onChanged={(v: Violation) => setData((s) => withIncoming(s, v))}
        />
      ) : null}
    </div>
  );
}
