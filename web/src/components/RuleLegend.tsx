// What each marker means: the rule's shape and colour and one line on what it detects, in two
// groups: the alert rules (drawn large on the chart) and the chart signals, info-level by default
// (drawn small and faint, so a healthy day does not look like an incident).
import { useEffect, useRef } from 'react';
import { RULES, drawMarker, type RuleStyle } from '../lib/rules';
import { isAlert } from '../lib/severity';

function MarkerIcon({ style }: { style: RuleStyle }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext?.('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, 16, 16);
    ctx.fillStyle = style.colour;
    ctx.strokeStyle = '#000';
    drawMarker(ctx, style.shape, 8, 8, 5);
  }, [style]);
  return <canvas ref={ref} width={16} height={16} aria-hidden="true" />;
}

function RuleItems({ rules, counts }: { rules: RuleStyle[]; counts?: Record<string, number> }) {
  return (
    <ul>
      {rules.map((r) => (
        <li key={r.rule}>
          <MarkerIcon style={r} />
          <span>
            <b>{r.rule}</b> <span className="shape">({r.shape})</span> {r.meaning}
            {counts && counts[r.rule] ? <span className="count"> · {counts[r.rule]}</span> : null}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function RuleLegend({ counts }: { counts?: Record<string, number> }) {
  return (
    <details className="legend" open>
      <summary>Rules (marker: what it detects)</summary>
      <h4>Alerts (large markers; by default SHIFT is a warning, JUMP and ERRORS critical)</h4>
      <RuleItems rules={RULES.filter((r) => isAlert(r.severity))} counts={counts} />
      <h4>Chart signals (info by default; small, faint markers)</h4>
      <RuleItems rules={RULES.filter((r) => !isAlert(r.severity))} counts={counts} />
    </details>
  );
}
