// How each SPC rule is drawn: a colour from the Okabe–Ito palette (told apart with colour
// blindness) and a marker shape, so that no rule is told from another by colour alone; the one
// line that says what it detects (the server's spc::RuleMeaning); and the severity the server
// gives it unless its config says otherwise. The alert rules (SHIFT, JUMP, ERRORS) are change
// detectors: their violation's first time is the estimated onset, not the time of detection.
import type { Severity } from '../api/types';

export type MarkerShape =
  | 'circle'
  | 'square'
  | 'triangle-up'
  | 'triangle-down'
  | 'diamond'
  | 'cross'
  | 'plus'
  | 'star'
  | 'hexagon'
  | 'bar'
  | 'step'
  | 'bolt'
  | 'octagon';

export interface RuleStyle {
  rule: string;
  colour: string;
  shape: MarkerShape;
  meaning: string;
  severity: Severity; // the server's default
}

export const RULES: RuleStyle[] = [
  { rule: 'SHIFT', colour: '#D55E00', shape: 'step', meaning: 'the level moved the bad way and stayed there (CUSUM on subgroup means): a sustained regression', severity: 'warning' },
  { rule: 'JUMP', colour: '#F0E442', shape: 'bolt', meaning: 'the level jumped far the bad way (×1.5 by default) within one subgroup: a sudden regression', severity: 'critical' },
  { rule: 'ERRORS', colour: '#CC79A7', shape: 'octagon', meaning: 'the share of failed calls rose above what the baseline allows (CUSUM on each call): an error surge', severity: 'critical' },
  { rule: 'R1', colour: '#E69F00', shape: 'triangle-up', meaning: 'one point beyond 3σ: a sudden spike or drop', severity: 'info' },
  { rule: 'R2', colour: '#56B4E9', shape: 'square', meaning: '9 in a row on one side of the center: a sustained shift', severity: 'info' },
  { rule: 'R3', colour: '#F0E442', shape: 'diamond', meaning: '6 in a row steadily up or down: a drift', severity: 'info' },
  { rule: 'R4', colour: '#CC79A7', shape: 'cross', meaning: '14 in a row alternating: oscillation (e.g. two backends)', severity: 'info' },
  { rule: 'R5', colour: '#D55E00', shape: 'triangle-down', meaning: '2 of 3 beyond 2σ on one side: a shift is starting', severity: 'info' },
  { rule: 'R6', colour: '#009E73', shape: 'plus', meaning: '4 of 5 beyond 1σ on one side: a small sustained shift', severity: 'info' },
  { rule: 'R7', colour: '#FFFFFF', shape: 'circle', meaning: '15 in a row within 1σ: variance dropped (caching?)', severity: 'info' },
  { rule: 'R8', colour: '#0072B2', shape: 'hexagon', meaning: '8 in a row beyond 1σ either side: a mix of two regimes', severity: 'info' },
  { rule: 'EWMA', colour: '#B8A1FF', shape: 'star', meaning: 'the weighted mean left its limits: small persistent shift', severity: 'info' },
  { rule: 'CUSUM', colour: '#FF9DA7', shape: 'bar', meaning: 'cumulative deviation passed its threshold: small persistent shift', severity: 'info' },
];

// Rules whose violation dates the change back to its estimated onset (first_time) and says when
// it was detected (detected_time).
export const ONSET_RULES = new Set(['SHIFT', 'JUMP', 'ERRORS']);

export function ruleStyle(rule: string): RuleStyle {
  return RULES.find((r) => r.rule === rule) ?? { rule, colour: '#AAAAAA', shape: 'circle', meaning: rule, severity: 'info' };
}

// Draws `shape` centred on (x, y) with radius r on a canvas.
export function drawMarker(ctx: CanvasRenderingContext2D, shape: MarkerShape, x: number, y: number, r: number) {
  ctx.beginPath();
  switch (shape) {
    case 'circle':
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      break;
    case 'square':
      ctx.rect(x - r, y - r, 2 * r, 2 * r);
      break;
    case 'triangle-up':
      ctx.moveTo(x, y - r * 1.2);
      ctx.lineTo(x + r, y + r * 0.8);
      ctx.lineTo(x - r, y + r * 0.8);
      ctx.closePath();
      break;
    case 'triangle-down':
      ctx.moveTo(x, y + r * 1.2);
      ctx.lineTo(x + r, y - r * 0.8);
      ctx.lineTo(x - r, y - r * 0.8);
      ctx.closePath();
      break;
    case 'diamond':
      ctx.moveTo(x, y - r * 1.3);
      ctx.lineTo(x + r, y);
      ctx.lineTo(x, y + r * 1.3);
      ctx.lineTo(x - r, y);
      ctx.closePath();
      break;
    case 'hexagon':
      for (let i = 0; i < 6; i++) {
        const a = (Math.PI / 3) * i;
        ctx[i ? 'lineTo' : 'moveTo'](x + r * Math.cos(a), y + r * Math.sin(a));
      }
      ctx.closePath();
      break;
    case 'star':
      for (let i = 0; i < 10; i++) {
        const a = (Math.PI / 5) * i - Math.PI / 2;
        const rr = i % 2 ? r * 0.5 : r * 1.2;
        ctx[i ? 'lineTo' : 'moveTo'](x + rr * Math.cos(a), y + rr * Math.sin(a));
      }
      ctx.closePath();
      break;
    case 'bar':
      ctx.rect(x - r * 0.4, y - r * 1.3, r * 0.8, r * 2.6);
      break;
    case 'step': // a level stepping up: low on the left, high on the right
      polygon(ctx, x, y, r, [[-1.2, 1], [-1.2, 0.1], [0, 0.1], [0, -1], [1.2, -1], [1.2, 1]]);
      break;
    case 'bolt':
      polygon(ctx, x, y, r, [[0.35, -1.3], [-0.8, 0.15], [-0.05, 0.15], [-0.35, 1.3], [0.8, -0.15], [0.05, -0.15]]);
      break;
    case 'octagon':
      for (let i = 0; i < 8; i++) {
        const a = (Math.PI / 4) * i + Math.PI / 8;
        ctx[i ? 'lineTo' : 'moveTo'](x + r * 1.15 * Math.cos(a), y + r * 1.15 * Math.sin(a));
      }
      ctx.closePath();
      break;
    case 'cross':
    case 'plus': {
      const t = r * 0.35;
      ctx.save();
      ctx.translate(x, y);
      if (shape === 'cross') ctx.rotate(Math.PI / 4);
      ctx.rect(-r * 1.1, -t, r * 2.2, 2 * t);
      ctx.rect(-t, -r * 1.1, 2 * t, r * 2.2);
      ctx.restore();
      break;
    }
  }
  ctx.fill();
  ctx.stroke();
}

// A closed path through `points` given in units of r around (x, y).
function polygon(ctx: CanvasRenderingContext2D, x: number, y: number, r: number, points: [number, number][]) {
  points.forEach(([dx, dy], i) => ctx[i ? 'lineTo' : 'moveTo'](x + dx * r, y + dy * r));
  ctx.closePath();
}
