// What each marker means: the rule's shape and colour and one line on what it detects.
import { useEffect, useRef } from 'react';
import { RULES, drawMarker, type RuleStyle } from '../lib/rules';

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

export function RuleLegend({ counts }: { counts?: Record<string, number> }) {
  return (
    <details className="legend" open>
      <summary>Rules (marker: what it detects)</summary>
      <ul>
        {RULES.map((r) => (
          <li key={r.rule}>
            <MarkerIcon style={r} /> <b>{r.rule}</b> <span className="shape">({r.shape})</span> {r.meaning}
            {counts && counts[r.rule] ? <span className="count"> · {counts[r.rule]}</span> : null}
          </li>
        ))}
      </ul>
    </details>
  );
}
