// Genre page: the genre's share of your plays per month, as a line, from the page's JSON.
import { chartsUnavailable } from './chart-fallback.js';
import { FIRST_DRAW, drawInTurn, readJson, renderChart, tooltip } from './charts.js';
import { periodLabel } from './format.js';

const story = readJson('genre-data');

function drawShare() {
  const months = story.months;
  renderChart('genre-share-chart', 'line', months.map((m) => periodLabel(m.period)), [
    { label: 'Share of plays (%)', data: months.map((m) => Math.round(m.share * 1000) / 10) },
  ], {
    plugins: {
      legend: { display: false },
      tooltip: tooltip((i) => periodLabel(months[i].period), (v) => `${v.toFixed(1)}% of plays`),
    },
    ...FIRST_DRAW,
  });
}

if (story) drawInTurn([drawShare]).catch(chartsUnavailable);
