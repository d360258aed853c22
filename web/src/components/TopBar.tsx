// The top bar: the view (the chart, the comparison or the cost), the exports, and changing the key.
export type View = 'chart' | 'compare' | 'cost';

interface Props {
  view: View;
  onView: (v: View) => void;
  onViolationsCsv: () => void;
  onSamplesCsv: () => void;
  onChartPng: () => void;
  onChangeKey: () => void;
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
        {tab('chart', 'Chart')}
        {tab('compare', 'Compare')}
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
        <button type="button" className="linklike" onClick={p.onChangeKey}>
          Change key
        </button>
      </div>
    </header>
  );
}
