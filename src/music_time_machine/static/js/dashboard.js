import { chartsUnavailable } from './chart-fallback.js';
import { FIRST_DRAW, drawInTurn, partialSegments, readJson, renderChart, tooltip } from './charts.js';
import { periodLabel, periodTitle, thousands } from './format.js';

const data = readJson('weekly-chart-data');
if (data) {
  const n = data.labels.length;
  drawInTurn([() => renderChart('weekly-chart', 'line', data.labels.map((l) => periodLabel(l)), [
    { label: 'Plays per week', data: data.plays, segment: partialSegments(n, data) },
  ], {
    plugins: {
      legend: { display: false },
      tooltip: tooltip((i) => periodTitle(data.labels[i], 'week'),
        (v, i) => `${thousands(v)} plays${data.partial_last && i === n - 1 ? ' (so far)' : ''}`),
    },
    ...FIRST_DRAW,
  })]).catch(chartsUnavailable);
}
