// How each SPC rule is drawn: a colour from the Okabe–Ito palette (told apart with colour
// blindness) and a marker shape, so that no rule is told from another by colour alone; and the
// one line that says what it detects (the server's spc::RuleMeaning).

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
  | 'bar';

export interface RuleStyle {
  rule: string;
  colour: string;
  shape: MarkerShape;
  meaning: string;
}

export const RULES: RuleStyle[] = [
  { rule: 'R1', colour: '#E69F00', shape: 'triangle-up', meaning: 'one point beyond 3σ: a sudden spike or drop' },
  { rule: 'R2', colour: '#56B4E9', shape: 'square', meaning: '9 in a row on one side of the center: a sustained shift' },
  { rule: 'R3', colour: '#F0E442', shape: 'diamond', meaning: '6 in a row steadily up or down: a drift' },
  { rule: 'R4', colour: '#CC79A7', shape: 'cross', meaning: '14 in a row alternating: oscillation (e.g. two backends)' },
  { rule: 'R5', colour: '#D55E00', shape: 'triangle-down', meaning: '2 of 3 beyond 2σ on one side: a shift is starting' },
  { rule: 'R6', colour: '#009E73', shape: 'plus', meaning: '4 of 5 beyond 1σ on one side: a small sustained shift' },
  { rule: 'R7', colour: '#FFFFFF', shape: 'circle', meaning: '15 in a row within 1σ: variance dropped (caching?)' },
  { rule: 'R8', colour: '#0072B2', shape: 'hexagon', meaning: '8 in a row beyond 1σ either side: a mix of two regimes' },
  { rule: 'EWMA', colour: '#B8A1FF', shape: 'star', meaning: 'the weighted mean left its limits: small persistent shift' },
  { rule: 'CUSUM', colour: '#FF9DA7', shape: 'bar', meaning: 'cumulative deviation passed its threshold: small persistent shift' },
];

export function ruleStyle(rule: string): RuleStyle {
  return RULES.find((r) => r.rule === rule) ?? { rule, colour: '#AAAAAA', shape: 'circle', meaning: rule };
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
