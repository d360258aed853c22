// A violation's severity as a shape and a word (◆ critical, ▲ warning, ○ info), never by colour
// alone; a violation from a server without severities shows a dash.
import type { Severity } from '../api/types';
import { severityStyle } from '../lib/severity';

export function SeverityBadge({ severity }: { severity?: Severity }) {
  if (!severity) return <span className="muted">—</span>;
  const s = severityStyle(severity);
  return (
    <span className={`severity severity-${s.severity}`} data-severity={s.severity}>
      <span aria-hidden="true">{s.symbol}</span> {s.text}
    </span>
  );
}
