// A series' or a source's state as a shape, a colour and a word, so that it never rests on colour
// alone.
import type { SourceState } from '../api/types';

const MARKS: Record<SourceState, { symbol: string; text: string; hint: string }> = {
  in_control: { symbol: '●', text: 'in control', hint: 'in control: no alert open' },
  degraded: {
    symbol: '△',
    text: 'degraded',
    hint: 'degraded: the shift detector passed its early-warning level (no alert yet)',
  },
  violation: { symbol: '▲', text: 'violation', hint: 'violation: an alert (critical or warning) is open' },
  learning: { symbol: '◐', text: 'learning', hint: 'learning: the baseline is not complete' },
  silent: { symbol: '○', text: 'silent', hint: 'silent: no sample for longer than five sampling intervals' },
};

// `compact`: the shape alone, its word given to assistive technology and the hint on hover.
export function StatusMark({ state, detail, compact }: { state: SourceState; detail?: string; compact?: boolean }) {
  const m = MARKS[state] ?? MARKS.learning;
  if (compact)
    return (
      <span className={`status status-${state}`} role="img" aria-label={m.text} title={m.hint}>
        {m.symbol}
      </span>
    );
  return (
    <span className={`status status-${state}`} title={m.hint}>
      <span aria-hidden="true">{m.symbol}</span> {m.text}
      {detail ? <span className="muted"> {detail}</span> : null}
    </span>
  );
}
