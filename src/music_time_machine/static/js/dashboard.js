import { readJson, renderChart } from './charts.js';

const data = readJson('weekly-chart-data');
if (data) {
  renderChart('weekly-chart', 'line', data.labels, [
    { label: 'Plays per week', data: data.plays },
  ], { plugins: { legend: { display: false } } });
}
