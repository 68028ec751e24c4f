// Year in review: the month chart, the print button and a PNG share card, all from the
// page's own JSON (#year-data). The card is drawn on a canvas in the browser and offered
// as a download (canvas → toBlob → object URL): no image service, only system fonts.
import { chartsUnavailable } from './chart-fallback.js';
import { FIRST_DRAW, drawInTurn, readJson, renderChart } from './charts.js';
import { duration, thousands } from './format.js';

const review = readJson('year-data');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];
const number = thousands;

function drawMonths() {
  const months = review.months;
  renderChart('year-months-chart', 'bar', months.map((m) => MONTHS[Number(m.period.slice(5, 7)) - 1]), [
    { label: 'Plays', data: months.map((m) => m.plays) },
  ], {
    plugins: {
      legend: { display: false },
      tooltip: {
        callbacks: {
          afterLabel: (ctx) => {
            const top = months[ctx.dataIndex].top_artist;
            return top ? `Top artist: ${top.name}` : '';
          },
        },
      },
    },
    ...FIRST_DRAW,
  });
}

// -- share card ---------------------------------------------------------------------------

export const CARD = { width: 1080, height: 1350 };
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif';
const INK = '#f4fbf7';
const SOFT = '#b9dccb';

function fit(ctx, text, maxWidth) {
  if (ctx.measureText(text).width <= maxWidth) return text;
  let cut = text;
  while (cut.length > 1 && ctx.measureText(`${cut}…`).width > maxWidth) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function write(ctx, text, x, y, size, { weight = 400, colour = INK, maxWidth = CARD.width - 2 * x } = {}) {
  ctx.font = `${weight} ${size}px ${FONT}`;
  ctx.fillStyle = colour;
  ctx.fillText(fit(ctx, text, maxWidth), x, y);
}

function column(ctx, title, lines, x, y, width) {
  write(ctx, title.toUpperCase(), x, y, 26, { weight: 700, colour: SOFT, maxWidth: width });
  lines.slice(0, 5).forEach((line, i) => {
    write(ctx, `${i + 1}. ${line}`, x, y + 56 + i * 50, 34, { weight: i ? 400 : 700, maxWidth: width });
  });
}

/** Draw the card for `data` (the page's review JSON) on `canvas`. */
export function drawCard(canvas, data) {
  canvas.width = CARD.width;
  canvas.height = CARD.height;
  const ctx = canvas.getContext('2d');
  const sky = ctx.createLinearGradient(0, 0, CARD.width, CARD.height);
  sky.addColorStop(0, '#0f3d2e');
  sky.addColorStop(1, '#1f7a5a');
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, CARD.width, CARD.height);
  ctx.textBaseline = 'alphabetic';
  const left = 80;
  write(ctx, 'MUSIC TIME MACHINE', left, 120, 30, { weight: 700, colour: SOFT });
  write(ctx, `${data.year} in review`, left, 220, 88, { weight: 800 });
  write(ctx, duration(data.summary.minutes), left, 360, 120, { weight: 800 });
  write(ctx, 'listened', left, 410, 36, { colour: SOFT });
  const s = data.summary;
  write(ctx, `${number(s.plays)} plays · ${number(s.artists)} artists · ${number(s.tracks)} tracks`, left, 480, 34);
  const half = (CARD.width - 2 * left - 40) / 2;
  column(ctx, 'Top artists', data.artists.map((a) => a.name), left, 590, half);
  column(ctx, 'Top tracks', data.tracks.map((t) => t.name), left + half + 40, 590, half);
  const facts = [];
  if (data.biggest_month) facts.push(`Biggest month: ${LONG_MONTHS[Number(data.biggest_month.period.slice(5, 7)) - 1]}`);
  if (data.streak.days) facts.push(`Longest streak: ${data.streak.days} day${data.streak.days === 1 ? '' : 's'}`);
  if (data.discoveries.artists) facts.push(`New artists: ${number(data.discoveries.artists)}`);
  facts.forEach((fact, i) => write(ctx, fact, left, 1000 + i * 56, 36, { weight: 600 }));
  write(ctx, `January–December ${data.year} · ${data.timezone}`, left, CARD.height - 70, 26, { colour: SOFT });
}

function offerCard() {
  const section = document.getElementById('share-card');
  if (!section || !review) return;
  const canvas = document.createElement('canvas');
  canvas.className = 'share-canvas';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `Share card: ${review.year} in review, ${duration(review.summary.minutes)} listened`);
  drawCard(canvas, review);
  section.querySelector('[data-share-preview]').append(canvas);
  section.hidden = false;
  const link = section.querySelector('[data-share-download]');
  canvas.toBlob((blob) => {
    if (!blob) return;
    link.href = URL.createObjectURL(blob);
    link.hidden = false;
  }, 'image/png');
}

function enablePrint() {
  document.querySelectorAll('[data-print]').forEach((button) => {
    button.hidden = false;
    button.addEventListener('click', () => window.print());
  });
}

if (review) {
  enablePrint();
  offerCard();
  drawInTurn([drawMonths]).catch(chartsUnavailable);
}
