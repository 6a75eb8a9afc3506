// Small SVG charts drawn from numbers the server computed: bars (a count per day) and lines (times
// per day, with gaps where a day has none). No library and no inline style (the CSP forbids it):
// shapes carry classes that style.css colours. Each chart is a figure with a caption naming what
// it shows; the page puts a table of the same numbers next to it for screen readers.
import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 36 };

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** A round top for the axis: 1, 2, 5 × 10ⁿ at or above `max`. */
function niceMax(max) {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max);
}

function frame(labels, top, ticks, format, captionId) {
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-labelledby': captionId });
  const plotH = H - PAD.top - PAD.bottom;
  for (const v of ticks) {
    const y = PAD.top + plotH * (1 - v / top);
    svg.append(s('line', { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: 'grid' }), s('text', { x: PAD.left - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' }, format(v)));
  }
  const step = (W - PAD.left - PAD.right) / Math.max(1, labels.length);
  const every = Math.ceil(labels.length / 10);
  labels.forEach((l, i) => {
    if (i % every === 0) svg.append(s('text', { x: PAD.left + step * (i + 0.5), y: H - PAD.bottom + 16, 'text-anchor': 'middle', class: 'axis' }, l));
  });
  return { svg, step, y: (v) => PAD.top + plotH * (1 - v / top) };
}

/** Bars of one count per label. */
export function barChart({ id, caption, labels, values }) {
  // Counts: a top whose half is whole, so that every gridline is a count.
  const nice = niceMax(Math.max(0, ...values));
  const top = nice > 1 && nice % 2 ? nice + 1 : nice;
  const { svg, step, y } = frame(labels, top, top > 1 ? [0, top / 2, top] : [0, 1], String, `${id}-caption`);
  values.forEach((v, i) => {
    if (!v) return;
    svg.append(s('rect', { x: PAD.left + step * i + step * 0.15, width: step * 0.7, y: y(v), height: y(0) - y(v), class: 'bar' }, s('title', {}, `${labels[i]}: ${v}`)));
  });
  return h('figure.chart', { id }, svg, h('figcaption', { id: `${id}-caption` }, caption));
}

/** Lines of several series (null: no value that day), in minutes on the axis. */
export function lineChart({ id, caption, labels, series, format }) {
  const top = niceMax(Math.max(0, ...series.flatMap((x) => x.values.filter((v) => v !== null))));
  const { svg, step, y } = frame(labels, top, [0, top / 2, top], format, `${id}-caption`);
  for (const line of series) {
    let d = '';
    line.values.forEach((v, i) => {
      if (v === null) return void (d += ' ');
      const x = PAD.left + step * (i + 0.5);
      d += `${/[\d]$/.test(d) ? 'L' : 'M'}${x.toFixed(1)},${y(v).toFixed(1)}`;
      svg.append(s('circle', { cx: x, cy: y(v), r: 3, class: `dot ${line.cls}` }, s('title', {}, `${line.name} ${labels[i]}: ${format(v)}`)));
    });
    svg.insertBefore(s('path', { d: d.trim(), class: `line ${line.cls}`, fill: 'none' }), svg.firstChild);
  }
  const legend = h('ul.legend', {}, series.map((x) => h(`li.${x.cls}`, {}, x.name)));
  return h('figure.chart', { id }, svg, h('figcaption', { id: `${id}-caption` }, caption), legend);
}
