// Artist, track and album pages: the charts, drawn from the page's embedded JSON (the same
// numbers as the tables under them, which work without JavaScript).
import { chartsUnavailable } from './chart-fallback.js';
import { FIRST_DRAW, drawInTurn, readJson, renderChart, tooltip } from './charts.js';
import { periodLabel, thousands } from './format.js';

const data = readJson('explore-data');
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const quiet = { plugins: { legend: { display: false } }, ...FIRST_DRAW };

const drawers = [];
if (data?.months?.length) {
  // Months in the same words as the table under the chart ('Dec 2025').
  drawers.push(() => renderChart('months-chart', 'line', data.months.map((m) => periodLabel(m.month)), [
    { label: 'Plays', data: data.months.map((m) => m.plays) },
  ], {
    ...quiet,
    plugins: {
      ...quiet.plugins,
      tooltip: tooltip((i) => periodLabel(data.months[i].month), (v) => `${thousands(v)} play${v === 1 ? '' : 's'}`),
    },
  }));
}
if (data?.hours) {
  drawers.push(() => renderChart('hours-chart', 'bar', data.hours.map((_, h) => String(h).padStart(2, '0')), [
    { label: 'Plays', data: data.hours },
  ], quiet));
}
if (data?.weekdays) {
  drawers.push(() => renderChart('weekdays-chart', 'bar', DAYS, [
    { label: 'Plays', data: data.weekdays },
  ], quiet));
}
if (drawers.length) drawInTurn(drawers).catch(chartsUnavailable);
