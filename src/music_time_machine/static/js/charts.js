// One place that turns JSON into Chart.js charts, with the app's colours and defaults.
// Chart.js (vendor/chartjs, a classic script that defines window.Chart) is fetched by
// loadChartJs() after the page's first paint: at 200 KB it would otherwise hold up the text
// on slow phones, and the numbers are already in the page's tables.

import { thousands } from './format.js';

const css = getComputedStyle(document.documentElement);
const color = (name) => css.getPropertyValue(name).trim();

export const palette = () => [1, 2, 3, 4, 5, 6, 7, 8].map((i) => color(`--chart-${i}`));

/** Read a `<script type="application/json">` block by id. */
export function readJson(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : null;
}

/** `valueFormat` (a function of a number) writes the value axis's ticks: thousands
 * separators by default, or a duration for time listened. */
function baseOptions({ valueFormat = thousands, ...extra } = {}) {
  const text = color('--muted');
  const grid = color('--chart-grid');
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: window.matchMedia('(prefers-reduced-motion: reduce)').matches ? false : { duration: 300 },
    plugins: { legend: { labels: { color: text } } },
    scales: {
      x: { ticks: { color: text, maxRotation: 0, autoSkipPadding: 12 }, grid: { color: grid } },
      y: { ticks: { color: text, precision: 0, callback: (v) => valueFormat(v) }, grid: { color: grid }, beginAtZero: true },
    },
    ...extra,
  };
}

const charts = new Map();

/** Dashes for a line's segments that reach a partial bucket (`edges` from the stats API:
 * partial_first, partial_last), so a week or month not over yet reads as "so far" instead
 * of as a drop. Chart.js's `segment` option of a line dataset. */
export function partialSegments(count, edges = {}) {
  const dash = [6, 4];
  return {
    borderDash: (ctx) => ((edges.partial_last && ctx.p1DataIndex === count - 1)
      || (edges.partial_first && ctx.p0DataIndex === 0) ? dash : undefined),
  };
}

/** A tooltip that says what a value is: `title(i)` for the point's heading and
 * `label(value, i)` for its line ("1,234 plays", "12.2% of plays"). */
export function tooltip(title, label) {
  return {
    callbacks: {
      title: (items) => (items.length ? title(items[0].dataIndex) : ''),
      label: (item) => label(item.raw, item.dataIndex),
    },
  };
}

/** Options for a chart drawn with the page: its data is already there, so an entrance
 * animation only costs main-thread time on phones (Lighthouse: total blocking time). */
export const FIRST_DRAW = { animation: false };

/** Run each drawing function in its own task after the next frame, so the text of the page
 * paints first and the page stays responsive between charts instead of blocking for all of
 * them at once. Resolves when every one has run. */
export function drawInTurn(drawers) {
  const afterNextFrame = () => new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
  });
  return drawers.reduce((done, draw) => done.then(afterNextFrame).then(draw),
    afterNextFrame().then(loadChartJs));
}

let chartJs = null;

/** Load Chart.js once (same origin, so the CSP's script-src 'self' allows it). */
export function loadChartJs() {
  if (window.Chart) return Promise.resolve(window.Chart);
  chartJs ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = new URL('../vendor/chartjs/chart.umd.min.js', import.meta.url).href;
    script.addEventListener('load', () => resolve(window.Chart));
    script.addEventListener('error', () => reject(new Error('Chart.js could not be loaded.')));
    document.head.append(script);
  });
  return chartJs;
}

/** Create or replace the chart on `canvasId`. `kind` is 'line', 'bar', 'hbar' or 'doughnut'. */
export function renderChart(canvasId, kind, labels, datasets, options = {}) {
  const canvas = document.getElementById(canvasId);
  if (!canvas || !window.Chart) return null;
  charts.get(canvasId)?.destroy();
  const colours = palette();
  const type = kind === 'hbar' ? 'bar' : kind;
  const styled = datasets.map((ds, i) => {
    if (type === 'doughnut') {
      return { backgroundColor: labels.map((_, j) => colours[j % colours.length]), borderColor: color('--surface'), ...ds };
    }
    const c = colours[i % colours.length];
    // Monotone curves never swing above or below the points they join: a smooth line must
    // not show a peak or a dip that did not happen.
    return { borderColor: c, backgroundColor: type === 'line' ? `${c}33` : c, pointRadius: 0, tension: 0.25, cubicInterpolationMode: 'monotone', fill: type === 'line', ...ds };
  });
  let opts = baseOptions(options);
  if (kind === 'hbar') opts = { ...opts, indexAxis: 'y', scales: { x: opts.scales.y, y: { ...opts.scales.x, grid: { display: false } } } };
  if (type === 'doughnut') opts = { ...opts, scales: {} };
  const chart = new window.Chart(canvas, { type, data: { labels, datasets: styled }, options: opts });
  charts.set(canvasId, chart);
  return chart;
}
