// The sources with their series as buttons: a search box, a heading per provider, and the
// sources in trouble first (lib/source_list), each marked with its most urgent state.
import { useState } from 'react';
import type { Metric, SeriesInfo, SourceKey } from '../api/types';
import { metricInfo } from '../lib/metrics';
import { sameSource, sourceId, sourceLabel, sourceOf } from '../lib/series_key';
import { sourceGroups } from '../lib/source_list';
import { StatusMark } from './StatusMark';

interface Props {
  series: SeriesInfo[];
  selected: SourceKey | null;
  metric: Metric;
  onSelect: (s: SourceKey, metric: Metric) => void;
}

export function SourceList(p: Props) {
  const [search, setSearch] = useState('');
  if (p.series.length === 0) return <p className="muted">No series yet: samples appear as probes report.</p>;
  const groups = sourceGroups(p.series, search);
  return (
    <>
      <label className="source-search">
        Search sources
        <input type="search" value={search} placeholder="provider, model, site, profile" onChange={(e) => setSearch(e.target.value)} />
      </label>
      {groups.length === 0 ? <p className="muted">No source matches the search.</p> : null}
      {groups.map((g) => (
        <section key={g.provider} className="provider-group" aria-label={`provider ${g.provider}`}>
          <h3 className="provider-name">{g.provider}</h3>
          <ul className="series-list">
            {g.sources.map((row) => (
              <li key={sourceId(row.source)}>
                <div className="source-name">
                  <StatusMark state={row.worst} compact /> <span>{sourceLabel(row.source)}</span>
                </div>
                <ul>
                  {row.series.map((s) => {
                    const active = p.selected !== null && sameSource(p.selected, s) && p.metric === s.metric;
                    return (
                      <li key={s.id}>
                        <button
                          type="button"
                          className={active ? 'series-item active' : 'series-item'}
                          aria-pressed={active}
                          onClick={() => p.onSelect(sourceOf(s), s.metric)}
                          data-series={s.id}
                        >
                          <span className="metric-name">{metricInfo(s.metric).label}</span>
                          <StatusMark
                            state={s.state}
                            detail={s.state === 'learning' ? `${s.learning_points}/${s.baseline_size}` : undefined}
                          />
                        </button>
                      </li>
                    );
                  })}
                </ul>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </>
  );
}
