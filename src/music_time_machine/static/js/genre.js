// Genre page: the genre's share of your plays per month, as a line, from the page's JSON.
import { chartsUnavailable } from './chart-fallback.js';
import { FIRST_DRAW, drawInTurn, readJson, renderChart } from './charts.js';

const story = readJson('genre-data');

function drawShare() {
  const months = story.months;
  renderChart('genre-share-chart', 'line', months.map((m) => m.period), [
    { label: 'Share of plays (%)', data: months.map((m) => Math.round(m.share * 1000) / 10) },
  ], {
    plugins: { legend: { display: false } },
    ...FIRST_DRAW,
  });
}

if (story) drawInTurn([drawShare]).catch(chartsUnavailable);
