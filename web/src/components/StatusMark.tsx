// A series' state as a shape, a colour and a word, so that it never rests on colour alone.
import type { SeriesState } from '../api/types';

const MARKS: Record<SeriesState, { symbol: string; text: string }> = {
  in_control: { symbol: '●', text: 'in control' },
  violation: { symbol: '▲', text: 'violation' },
  learning: { symbol: '◐', text: 'learning' },
};

export function StatusMark({ state, detail }: { state: SeriesState; detail?: string }) {
  const m = MARKS[state] ?? MARKS.learning;
  return (
    <span className={`status status-${state}`} title={m.text}>
      <span aria-hidden="true">{m.symbol}</span> {m.text}
      {detail ? <span className="muted"> {detail}</span> : null}
    </span>
  );
}
