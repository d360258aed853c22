// The top bar: the view (the overview of all sources, the chart, the comparison, the targets,
// the alerting settings or the cost), the exports, the setup wizard, and changing the key.
import type { Page } from '../lib/route';

export type View = 'chart' | Page;

interface Props {
  view: View;
  onView: (v: View) => void;
  onViolationsCsv: () => void;
  onSamplesCsv: () => void;
  onChartPng: () => void;
  onChangeKey: () => void;
  onSetup: () => void;
}

export function TopBar(p: Props) {
  const tab = (v: View, label: string) => (
    <button type="button" className={p.view === v ? 'active' : ''} aria-pressed={p.view === v} onClick={() => p.onView(v)}>
      {label}
    </button>
  );
  return (
    <header className="topbar">
      <h1>LLMscope</h1>
      <nav className="segmented" aria-label="view">
        {tab('overview', 'Overview')}
        {tab('chart', 'Chart')}
        {tab('compare', 'Compare')}
        {tab('targets', 'Targets')}
        {tab('alerts', 'Alerts')}
        {tab('cost', 'Cost')}
      </nav>
      <div className="exports">
        <button type="button" onClick={p.onViolationsCsv}>
          Violations CSV
        </button>
        <button type="button" onClick={p.onSamplesCsv}>
          Samples CSV
        </button>
        <button type="button" onClick={p.onChartPng} disabled={p.view !== 'chart'}>
          Chart PNG
        </button>
        <button type="button" className="linklike" onClick={p.onSetup}>
          Setup
        </button>
        <button type="button" className="linklike" onClick={p.onChangeKey}>
          Change key
        </button>
      </div>
    </header>
  );
}
