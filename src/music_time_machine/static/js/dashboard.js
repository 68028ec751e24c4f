import { chartsUnavailable } from './chart-fallback.js';
import { FIRST_DRAW, drawInTurn, readJson, renderChart } from './charts.js';

const data = readJson('weekly-chart-data');
if (data) {
  drawInTurn([() => renderChart('weekly-chart', 'line', data.labels, [
    { label: 'Plays per week', data: data.plays },
  ], { plugins: { legend: { display: false } }, ...FIRST_DRAW })]).catch(chartsUnavailable);
}
