// The app's chart colours, read from CSS custom properties (app.css, `--chart-*`), so that one
// palette serves every chart in light and dark and a theme change needs no JavaScript edit.
// The chart builder (charts.js) calls chartPalette() each time it draws; pages that restyle a
// chart after the colour scheme changes subscribe with onSchemeChange().

/** Number of series colours app.css defines (`--chart-1` … `--chart-8`). */
export const SERIES_COUNT = 8;

const read = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/**
 * The palette as the current scheme (light or dark) has it:
 * `series` (8 colours, in order of use), `text` (tick and legend labels), `grid` (grid
 * lines), `surface` (card background: doughnut borders), `muted` (the "other" slice), and
 * `fillAlpha` (two hex digits to append to a series colour for an area fill).
 */
export function chartPalette() {
  return {
    series: Array.from({ length: SERIES_COUNT }, (_, i) => read(`--chart-${i + 1}`)),
    text: read('--chart-text'),
    grid: read('--chart-grid'),
    surface: read('--surface'),
    muted: read('--chart-other'),
    fillAlpha: read('--chart-fill-alpha') || '33',
  };
}

/** The i-th series colour, wrapping round after the last. */
export const seriesColour = (i) => chartPalette().series[i % SERIES_COUNT];

/** Call `callback()` whenever the system switches between light and dark. */
export function onSchemeChange(callback) {
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  query.addEventListener('change', () => callback(chartPalette()));
}
