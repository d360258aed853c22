// ControlChart: one series on a uPlot canvas with its center line, control limits and shaded
// zones (C within 1σ, B 1–2σ, A 2–3σ) per stage, dashed stage boundaries and violation markers
// shaped and coloured by rule: alerts large, info-level chart signals small and faint. Drag to
// zoom, mouse wheel to zoom around the cursor, Shift+drag or the arrow buttons to pan,
// double-click or Reset to see everything again. Each x range the person zooms or pans to is
// reported (`onZoom`; null when the zoom is reset), so that finer points can be fetched for it. A
// new `model` is drawn into the same chart (live points and markers, finer points of a zoomed
// span; the zoom kept); a new set of data (another series, window or fetch) is a new
// ControlChart: its parent keys it.
import { forwardRef, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartModel } from '../lib/chart_data';
import { xRange, yRange } from '../lib/chart_data';
import { limitLabels, limitsAt, spreadApart } from '../lib/limit_labels';
import { drawOrder, type Marker } from '../lib/markers';
import { drawMarker, ruleStyle } from '../lib/rules';
import { isAlert } from '../lib/severity';
import { formatTime, formatValue } from '../lib/metrics';
import type { XRange } from '../hooks/useZoomDetail';

export interface ControlChartHandle {
  png(): string | null; // data: URL of the chart with its background
  plotPixels(): number | undefined; // the plot's width in device pixels, once drawn
}

interface Props {
  model: ChartModel;
  height?: number;
  unit: string;
  digits: number;
  label: string;
  onHover?: (index: number | null) => void;
  onMarkerClick?: (violationId: number) => void;
  onZoom?: (range: XRange | null) => void;
  testId?: string;
}

const BG = '#151a21';

function drawOverlay(u: uPlot, model: ChartModel, layer: 'zones' | 'lines') {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const xMax = u.scales.x.max ?? 0;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  const px = (v: number) => u.valToPos(v, 'x', true);
  const py = (v: number) => u.valToPos(v, 'y', true);
  model.segments.forEach((seg, i) => {
    const x0 = Math.max(left, px(seg.from));
    const end = i + 1 < model.segments.length ? model.segments[i + 1].from : xMax;
    const x1 = Math.min(left + width, px(Math.max(end, seg.from)));
    if (x1 <= x0) return;
    const l = seg.limits;
    if (layer === 'zones' && model.zones) {
      const band = (a: number | null, b: number | null, fill: string) => {
        if (a === null || b === null) return;
        ctx.fillStyle = fill;
        ctx.fillRect(x0, py(a), x1 - x0, py(b) - py(a));
      };
      band(l.ucl, l.upper_2s, 'rgba(230,159,0,0.10)'); // zone A
      band(l.upper_2s, l.upper_1s, 'rgba(86,180,233,0.08)'); // zone B
      band(l.upper_1s, l.lower_1s, 'rgba(120,200,200,0.06)'); // zone C
      band(l.lower_1s, l.lower_2s, 'rgba(86,180,233,0.08)');
      band(l.lower_2s, l.lcl, 'rgba(230,159,0,0.10)');
    }
    if (layer === 'lines') {
      const hline = (v: number | null, colour: string, dash: number[]) => {
        if (v === null || !Number.isFinite(v)) return;
        ctx.strokeStyle = colour;
        ctx.setLineDash(dash);
        ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(x0, py(v));
        ctx.lineTo(x1, py(v));
        ctx.stroke();
      };
      const dash = model.provisional ? [6, 4] : [];
      hline(l.cl, '#9fd3c7', dash);
      hline(l.ucl, '#E69F00', model.provisional ? [6, 4] : [10, 3]);
      hline(l.lcl, '#E69F00', model.provisional ? [6, 4] : [10, 3]);
    }
  });
  if (layer === 'lines') {
    ctx.setLineDash([4, 4]);
    ctx.strokeStyle = '#c0c0c0';
    ctx.lineWidth = devicePixelRatio;
    for (const s of model.stageStarts) {
      const x = px(s);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    for (const m of drawOrder(model.markers)) drawViolationMarker(ctx, m, px, py);
  }
  ctx.restore();
}

const LABEL_COLOUR = { UCL: '#E69F00', CL: '#9fd3c7', LCL: '#E69F00' };

// UCL, CL and LCL with their values at the plot's right edge, just above their lines, on a dark
// backing so that they stay legible over points.
function drawLimitLabels(u: uPlot, model: ChartModel, format: (v: number) => string) {
  const labels = limitLabels(limitsAt(model.segments, u.scales.x.max ?? 0));
  if (labels.length === 0) return;
  const ctx = u.ctx;
  const dpr = devicePixelRatio;
  const { left, top, width, height } = u.bbox;
  const right = left + width - 4 * dpr;
  const ys = spreadApart(
    labels.map((l) => u.valToPos(l.value, 'y', true) - 3 * dpr),
    13 * dpr,
    top + 12 * dpr,
    top + height,
  );
  ctx.save();
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'bottom';
  labels.forEach((l, i) => {
    const y = ys[i];
    const text = `${l.name} ${format(l.value)}`;
    const w = ctx.measureText(text).width;
    ctx.fillStyle = 'rgba(21,26,33,0.75)';
    ctx.fillRect(right - w - 3 * dpr, y - 12 * dpr, w + 6 * dpr, 13 * dpr);
    ctx.fillStyle = LABEL_COLOUR[l.name];
    ctx.fillText(text, right, y);
  });
  ctx.restore();
}

// An alert-level marker (critical, warning, or unclassified from an older server) large, outlined
// in white, with a dashed line from the estimated onset to the detection when they differ; an
// info-level one (a Nelson chart signal) small and faint.
function drawViolationMarker(ctx: CanvasRenderingContext2D, m: Marker, px: (v: number) => number, py: (v: number) => number) {
  const st = ruleStyle(m.rule);
  const dpr = devicePixelRatio;
  const x = px(m.x);
  const y = py(m.y);
  ctx.save();
  if (!isAlert(m.severity)) {
    ctx.globalAlpha = 0.55;
    ctx.lineWidth = 0.5 * dpr;
    ctx.strokeStyle = '#000';
    ctx.fillStyle = st.colour;
    drawMarker(ctx, st.shape, x, y, 4 * dpr);
    drawCount(ctx, m, x, y, 4 * dpr);
    ctx.restore();
    return;
  }
  if (m.detectedX !== undefined) {
    const xd = px(m.detectedX);
    ctx.strokeStyle = st.colour;
    ctx.lineWidth = 2 * dpr;
    ctx.setLineDash([5 * dpr, 3 * dpr]);
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(xd, y);
    ctx.moveTo(xd, y - 7 * dpr);
    ctx.lineTo(xd, y + 7 * dpr);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.lineWidth = 1.5 * dpr;
  ctx.strokeStyle = '#fff';
  ctx.fillStyle = st.colour;
  drawMarker(ctx, st.shape, x, y, 8 * dpr);
  drawCount(ctx, m, x, y, 8 * dpr);
  ctx.restore();
}

// A display bucket's mark of several violations: "×N" beside it.
function drawCount(ctx: CanvasRenderingContext2D, m: Marker, x: number, y: number, size: number) {
  if (m.count === undefined) return;
  const dpr = devicePixelRatio;
  ctx.globalAlpha = 1;
  ctx.font = `${10 * dpr}px sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.fillStyle = ruleStyle(m.rule).colour;
  ctx.fillText(`×${m.count}`, x + size + 2 * dpr, y);
}

// Wheel zoom around the cursor and Shift+drag panning on the x axis; `userScale` sets the range
// the person asked for.
function panZoomPlugin(userScale: (u: uPlot, min: number, max: number) => void): uPlot.Plugin {
  return {
    hooks: {
      ready: (u) => {
        const over = u.over;
        over.addEventListener(
          'wheel',
          (e) => {
            e.preventDefault();
            const { min, max } = u.scales.x;
            if (min === undefined || max === undefined) return;
            const at = u.posToVal(e.offsetX, 'x');
            const f = e.deltaY < 0 ? 0.8 : 1.25;
            userScale(u, at - (at - min) * f, at + (max - at) * f);
          },
          { passive: false },
        );
        over.addEventListener('mousedown', (e) => {
          if (!e.shiftKey) return;
          e.stopPropagation();
          const { min, max } = u.scales.x;
          if (min === undefined || max === undefined) return;
          const x0 = e.clientX;
          const perPx = (max - min) / u.bbox.width * devicePixelRatio;
          const move = (ev: MouseEvent) => {
            const d = (ev.clientX - x0) * perPx;
            userScale(u, min - d, max - d);
          };
          const up = () => {
            window.removeEventListener('mousemove', move);
            window.removeEventListener('mouseup', up);
          };
          window.addEventListener('mousemove', move);
          window.addEventListener('mouseup', up);
        }, true);
      },
    },
  };
}

// Whether this browser can draw on a canvas.
function canvasWorks(): boolean {
  const probe = document.createElement('canvas');
  return !!probe.getContext && !!probe.getContext('2d');
}

// What the end-to-end run and the benchmark read off the chart's element.
function showCounts(el: HTMLElement, m: ChartModel) {
  el.dataset.points = String(m.x.length);
  el.dataset.limits = String(m.segments.length);
  el.dataset.markers = String(m.markers.length);
  el.dataset.alertMarkers = String(m.markers.filter((mk) => isAlert(mk.severity)).length);
  el.dataset.markedViolations = String(m.markers.reduce((n, mk) => n + (mk.count ?? 1), 0));
}

export const ControlChart = forwardRef<ControlChartHandle, Props>(function ControlChart(p, ref) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The model drawn, read by uPlot's hooks when it draws.
  const modelRef = useRef(p.model);
  const formatRef = useRef((v: number) => formatValue(v, p.digits, p.unit));
  const hoverRef = useRef(p.onHover);
  const markerClickRef = useRef(p.onMarkerClick);
  const zoomRef = useRef(p.onZoom);
  // Whether the x range is the person's (zoomed or panned) rather than the data's.
  const zoomed = useRef(false);
  const [canDraw] = useState(canvasWorks);
  const [tip, setTip] = useState<{ idx: number; left: number; top: number } | null>(null);
  useLayoutEffect(() => {
    hoverRef.current = p.onHover;
    markerClickRef.current = p.onMarkerClick;
    zoomRef.current = p.onZoom;
    formatRef.current = (v: number) => formatValue(v, p.digits, p.unit);
  });

  const userScale = (u: uPlot, min: number, max: number) => {
    zoomed.current = true;
    u.setScale('x', { min, max });
  };
  const unzoom = () => {
    if (!zoomed.current) return;
    zoomed.current = false;
    zoomRef.current?.(null);
  };

  useImperativeHandle(ref, () => ({
    png() {
      const u = plot.current;
      if (!u) return null;
      const src = u.ctx.canvas;
      const out = document.createElement('canvas');
      out.width = src.width;
      out.height = src.height;
      const ctx = out.getContext('2d');
      if (!ctx) return null;
      ctx.fillStyle = BG;
      ctx.fillRect(0, 0, out.width, out.height);
      ctx.drawImage(src, 0, 0);
      return out.toDataURL('image/png');
    },
    plotPixels() {
      return plot.current?.bbox.width;
    },
  }));

  // A new model of the same chart (live points, a new marker): its data set again; the zoom is
  // kept when the person zoomed. Before the build below, so that a rebuild draws the newest.
  useEffect(() => {
    if (modelRef.current === p.model) return;
    modelRef.current = p.model;
    const u = plot.current;
    if (!u) return;
    u.setData([p.model.x, p.model.y as number[]], !zoomed.current);
    if (host.current) showCounts(host.current, p.model);
  }, [p.model]);

  // Builds the chart, again when its height or label changes.
  useEffect(() => {
    const el = host.current;
    if (!el || !canDraw) return;
    const width = Math.max(300, el.clientWidth || 800);
    const opts: uPlot.Options = {
      width,
      height: p.height ?? 360,
      pxAlign: 0,
      scales: {
        x: { time: true, range: (_u, min, max) => xRange(modelRef.current, min, max) },
        y: { range: () => yRange(modelRef.current) },
      },
      axes: [
        { stroke: '#aab', grid: { stroke: '#2a313b' }, ticks: { stroke: '#2a313b' } },
        {
          stroke: '#aab',
          grid: { stroke: '#2a313b' },
          ticks: { stroke: '#2a313b' },
          size: 70,
        },
      ],
      legend: { show: false },
      cursor: {
        drag: { x: true, y: false, setScale: true },
        points: { size: 8 },
      },
      series: [
        {},
        {
          label: p.label,
          stroke: '#7fb8ff',
          width: 1,
          spanGaps: false,
          points: { show: (u) => (u.data[0]?.length ?? 0) < 3000, size: 4, fill: '#7fb8ff' },
        },
      ],
      hooks: {
        drawClear: [(u) => drawOverlay(u, modelRef.current, 'zones')],
        draw: [
          (u) => {
            drawOverlay(u, modelRef.current, 'lines');
            drawLimitLabels(u, modelRef.current, formatRef.current);
            // For bench/: when a chart of how many points was last drawn.
            performance.clearMarks('llmscope:chart-drawn');
            performance.mark('llmscope:chart-drawn', { detail: { points: u.data[0].length } });
          },
        ],
        setCursor: [
          (u) => {
            const idx = u.cursor.idx ?? null;
            hoverRef.current?.(idx);
            setTip(idx === null || u.cursor.left === undefined || u.cursor.left < 0
              ? null
              : { idx, left: u.cursor.left, top: u.cursor.top ?? 0 });
          },
        ],
        setSelect: [() => (zoomed.current = true)],
        setScale: [
          (u, key) => {
            const { min, max } = u.scales.x;
            if (key === 'x' && zoomed.current && min !== undefined && max !== undefined) zoomRef.current?.({ minS: min, maxS: max });
          },
        ],
        ready: [
          (u) => {
            // Capturing: before uPlot's own double-click, which scales to the data.
            u.over.addEventListener('dblclick', unzoom, true);
            u.over.addEventListener('click', (e) => {
              const m = modelRef.current.markers.find(
                (mk) =>
                  Math.abs(u.valToPos(mk.x, 'x') - e.offsetX) < 8 && Math.abs(u.valToPos(mk.y, 'y') - e.offsetY) < 8,
              );
              if (m?.violationId !== undefined) markerClickRef.current?.(m.violationId);
            });
          },
        ],
      },
      plugins: [panZoomPlugin(userScale)],
    };
    const m = modelRef.current;
    const u = new uPlot(opts, [m.x, m.y as number[]], el);
    plot.current = u;
    zoomed.current = false;
    showCounts(el, m);
    const resize = new ResizeObserver(() => {
      const w = Math.max(300, el.clientWidth);
      if (w !== u.width) u.setSize({ width: w, height: u.height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [canDraw, p.height, p.label]);

  const pan = (dir: number) => {
    const u = plot.current;
    if (!u) return;
    const { min, max } = u.scales.x;
    if (min === undefined || max === undefined) return;
    const d = (max - min) * 0.25 * dir;
    userScale(u, min + d, max + d);
  };
  const reset = () => {
    const u = plot.current;
    if (!u) return;
    unzoom();
    u.setData([p.model.x, p.model.y as number[]], true);
  };

  return (
    <div className="chart-wrap">
      <div className="chart-tools" aria-label="zoom and pan">
        <button type="button" onClick={() => pan(-1)} title="pan left">◀</button>
        <button type="button" onClick={() => pan(1)} title="pan right">▶</button>
        <button type="button" onClick={reset} title="show everything">Reset zoom</button>
        <span className="hint">drag: zoom · wheel: zoom · shift+drag: pan</span>
      </div>
      {canDraw ? null : <p className="muted">This browser cannot draw on a canvas.</p>}
      <div className="chart-host">
        <div ref={host} className="chart" data-testid={p.testId ?? 'control-chart'} />
        {tip && tip.idx < p.model.x.length ? <Tooltip model={p.model} tip={tip} unit={p.unit} digits={p.digits} /> : null}
      </div>
      {p.model.x.length === 0 ? <p className="muted">No points in this window yet.</p> : null}
    </div>
  );
});

function Tooltip({ model, tip, unit, digits }: { model: ChartModel; tip: { idx: number; left: number; top: number }; unit: string; digits: number }) {
  const i = tip.idx;
  const t = model.x[i];
  const marks = model.markers.filter((m) => Math.abs(m.x - t) < 1e-3);
  return (
    <div className="tooltip" role="tooltip" style={{ left: tip.left + 80, top: tip.top + 10 }}>
      <div>{formatTime(t * 1000)}</div>
      <div>
        <b>{formatValue(model.y[i], digits, unit)}</b>
        {model.ids[i] ? <span className="muted"> · sample #{model.ids[i]}</span> : null}
      </div>
      <div className="muted">
        CPU {formatValue(model.telemetry.cpu[i], 0, '%')} · mem {formatValue(model.telemetry.memory[i], 0, '%')} · GPU{' '}
        {formatValue(model.telemetry.gpu[i], 0, '%')}
      </div>
      {marks.map((m) => (
        <div key={m.rule + m.x} style={{ color: ruleStyle(m.rule).colour }}>
          {m.rule}
          {m.count !== undefined ? ` ×${m.count}` : ''}
          {m.severity ? ` (${m.severity})` : ''}: {ruleStyle(m.rule).meaning}
          {m.detectedX !== undefined ? ` · estimated onset; detected ${formatTime(m.detectedX * 1000).slice(11)}` : ''}
        </div>
      ))}
    </div>
  );
}
