// Analytics: draws the charts from the page's embedded JSON, then upgrades the range links
// and form so that a new range is fetched from the stats API and drawn in place
// (history.pushState keeps the URL shareable; Back restores the previous range).
import { chartsUnavailable } from './chart-fallback.js';
import { FIRST_DRAW, drawInTurn, loadChartJs, palette, partialSegments, readJson, renderChart, tooltip } from './charts.js';
import { getJson } from './csrf-fetch.js';
import { duration, percent, periodLabel, periodTitle, thousands } from './format.js';

const results = document.getElementById('analytics-results');
const errorBox = document.getElementById('analytics-error');
const statusBox = document.getElementById('analytics-status');
const form = document.getElementById('range-form');
const css = getComputedStyle(document.documentElement);
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const ENDPOINTS = {
  summary: 'summary',
  volume: 'volume',
  genres: 'top-genres?limit=8',
  artists: 'top-artists?limit=10',
  tracks: 'top-tracks?limit=10',
  albums: 'top-albums?limit=10',
  heatmap: 'heatmap',
  discoveries: 'discoveries',
};

let data = readJson('analytics-data');
let metric = 'plays';
let latest = 0;

const number = thousands;
const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

/** A name that links to its page when the API gave a URL (web/links.py), else text. */
function linked(url, text, className) {
  const el = document.createElement(url ? 'a' : 'span');
  el.textContent = text;
  if (url) {
    el.href = url;
    el.className = `item-link${className ? ` ${className}` : ''}`;
  } else if (className) {
    el.className = className;
  }
  return el;
}

function linkedCell(url, text) {
  const td = document.createElement('td');
  td.append(linked(url, text));
  return td;
}

/** Names with their URLs, comma-separated. */
function linkedList(names, urls) {
  const parts = [];
  names.forEach((name, i) => {
    if (i) parts.push(', ');
    parts.push(linked(urls?.[i], name));
  });
  return parts;
}

/** Chart.js onClick that opens the page of the clicked element (bar or slice). */
function openOnClick(urlOf) {
  return {
    onClick: (_event, elements) => {
      const url = elements.length ? urlOf(elements[0].index) : null;
      if (url) window.location.assign(url);
    },
    onHover: (event, elements) => {
      const target = event.native?.target;
      if (target) target.style.cursor = elements.length && urlOf(elements[0].index) ? 'pointer' : '';
    },
  };
}

// The same markup as the artwork macro in _macros.html: a same-origin picture of a set
// size, lazy-loaded, or a placeholder of that size.
function artwork(src, size = 40) {
  if (!src) {
    const none = document.createElement('span');
    none.className = `art art-${size} art-none`;
    none.setAttribute('aria-hidden', 'true');
    return none;
  }
  const img = document.createElement('img');
  img.className = `art art-${size}`;
  Object.assign(img, { src, width: size, height: size, alt: '', loading: 'lazy', decoding: 'async' });
  return img;
}

/** A table cell with a picture beside ``content`` (a node or text). */
function withArt(src, content) {
  const td = document.createElement('td');
  const box = document.createElement('span');
  box.className = 'with-art';
  const text = document.createElement('span');
  text.append(content);
  box.append(artwork(src), text);
  td.append(box);
  return td;
}

function fillRows(id, rows) {
  const body = document.getElementById(id);
  if (!body) return;
  body.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement('tr');
    tr.append(...cells);
    return tr;
  }));
}

/** Fill a table, or give it one row across all its columns that says it has none. */
function fillRowsOrNone(id, rows, noneText, columns = 4) {
  if (!rows.length) {
    const none = cell(noneText);
    none.colSpan = columns;
    rows = [[none]];
  }
  fillRows(id, rows);
}

// -- charts ---------------------------------------------------------------------------

/** The text of a point: "so far" when its bucket is not over. */
function soFar(i, count, edges) {
  return (edges.partial_last && i === count - 1) || (edges.partial_first && i === 0) ? ' (so far)' : '';
}

function drawVolume(first = {}) {
  const { series, bucket } = data.volume;
  const label = metric === 'plays' ? 'Plays' : 'Time listened';
  const n = series.length;
  const value = metric === 'plays' ? (v) => `${number(v)} plays` : duration;
  renderChart('volume-chart', 'line', series.map((p) => periodLabel(p.period)), [
    { label, data: series.map((p) => p[metric]), segment: partialSegments(n, data.volume) },
  ], {
    plugins: {
      legend: { display: false },
      tooltip: tooltip((i) => periodTitle(series[i].period, bucket),
        (v, i) => `${value(v)}${soFar(i, n, data.volume)}`),
    },
    valueFormat: metric === 'plays' ? number : duration,
    ...first,
  });
  $$('[data-metric]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.metric === metric)));
}

/** The top genres as bars when the rest together would be the biggest slice of a doughnut
 * (the API's `long_tail`): "other genres" then is no slice, and a note says where it went. */
function drawGenreBars(first = {}) {
  const g = data.genres;
  const items = g.items;
  const max = window.innerWidth < 640 ? 16 : 28;
  renderChart('genre-chart', 'hbar', items.map((i) => shorten(i.genre, max)), [
    { label: 'Share of genre plays (%)', data: items.map((i) => Math.round(i.share * 1000) / 10) },
  ], {
    plugins: {
      legend: { display: false },
      tooltip: tooltip((i) => items[i].genre, (v) => `${v.toFixed(1)}% of plays with a known genre`),
    },
    valueFormat: (v) => `${v}%`,
    ...openOnClick((i) => items[i]?.url),
    ...first,
  });
}

function drawGenres(first = {}) {
  const g = data.genres;
  const canvas = document.getElementById('genre-chart');
  const tail = document.querySelector('[data-genre-tail]');
  if (tail) {
    tail.hidden = !g.long_tail;
    tail.textContent = `Your genres have a long tail: the other ${Math.round(g.other_share * 100)}% is spread over smaller genres, so the top ones are shown as bars.`;
  }
  canvas?.setAttribute('aria-label', `${g.long_tail ? 'Bar' : 'Doughnut'} chart of the top genres by share of plays`);
  if (g.long_tail) {
    drawGenreBars(first);
    return;
  }
  const labels = g.items.map((i) => i.genre);
  const shares = g.items.map((i) => Math.round(i.share * 1000) / 10);
  const colours = palette().slice(0, labels.length);
  if (g.other_share > 0) {
    labels.push('other genres');
    shares.push(Math.round(g.other_share * 1000) / 10);
    colours.push(css.getPropertyValue('--border').trim());
  }
  renderChart('genre-chart', 'doughnut', labels.map((name, i) => `${name} ${shares[i].toFixed(1)}%`), [
    { label: 'Share of genre plays (%)', data: shares, backgroundColor: colours },
  ], {
    plugins: {
      legend: { position: 'bottom', labels: { color: css.getPropertyValue('--muted').trim() } },
      tooltip: tooltip((i) => labels[i], (v) => `${v.toFixed(1)}% of plays with a known genre`),
    },
    ...openOnClick((i) => g.items[i]?.url),
    ...first,
  });
}

const shorten = (name, max) => (name.length > max ? `${name.slice(0, max - 1)}…` : name);

function drawArtists(first = {}) {
  const items = data.artists.items;
  const max = window.innerWidth < 640 ? 16 : 28;
  renderChart('artist-chart', 'hbar', items.map((a) => shorten(a.name, max)), [
    { label: 'Plays', data: items.map((a) => a.plays) },
  ], {
    plugins: {
      legend: { display: false },
      tooltip: tooltip((i) => items[i].name, (v, i) => `${number(v)} plays · ${duration(items[i].minutes)}`),
    },
    ...openOnClick((i) => items[i]?.url),
    ...first,
  });
}

function drawDiscoveries(first = {}) {
  const { series, bucket } = data.discoveries;
  const n = series.length;
  renderChart('discovery-chart', 'bar', series.map((m) => periodLabel(m.period)), [
    { label: 'New artists', data: series.map((m) => m.artists) },
  ], {
    plugins: {
      legend: { display: false },
      tooltip: tooltip((i) => periodTitle(series[i].period, bucket),
        (v, i) => `${number(v)} new artist${v === 1 ? '' : 's'}${soFar(i, n, data.discoveries)}`),
    },
    ...first,
  });
}

// -- tables, cards, heatmap ------------------------------------------------------------

function renderTables() {
  fillRows('volume-rows', data.volume.series.map((p) => [cell(periodLabel(p.period, true)), cell(number(p.plays)), cell(duration(p.minutes))]));
  const g = data.genres;
  const genreRows = g.items.map((i) => [linkedCell(i.url, i.genre), cell(number(i.plays)), cell(`${(i.share * 100).toFixed(1)}%`)]);
  if (g.other_share > 0) genreRows.push([cell('other genres'), cell(''), cell(`${(g.other_share * 100).toFixed(1)}%`)]);
  genreRows.push([cell('unknown genre'), cell(number(g.unknown_plays)), cell(`${(g.unknown_share * 100).toFixed(1)}% of all plays`)]);
  fillRows('genre-rows', genreRows);
  fillRows('artist-rows', data.artists.items.map((a) => [withArt(a.image, linked(a.url, a.name)), cell(number(a.plays)), cell(duration(a.minutes))]));
  const tracks = data.tracks.items.map((t, i) => {
    const title = document.createElement('td');
    const name = linked(t.url, t.name, 'track');
    const by = document.createElement('span');
    by.className = 'muted';
    by.append(...linkedList(t.artists, t.artist_urls));
    const text = document.createElement('span');
    text.append(name, ' ', by);
    const box = document.createElement('span');
    box.className = 'with-art';
    box.append(artwork(t.image), text);
    title.append(box);
    return [cell(String(i + 1)), title, cell(number(t.plays)), cell(duration(t.minutes))];
  });
  fillRowsOrNone('track-rows', tracks, 'No tracks in this range.');
  const albums = data.albums.items.map((a, i) => {
    const title = document.createElement('td');
    const link = document.createElement('a');
    link.className = 'track';
    link.href = a.url;
    link.textContent = a.name;
    const by = document.createElement('span');
    by.className = 'muted';
    by.textContent = a.artists.join(', ');
    title.append(link, ' ', by);
    return [cell(String(i + 1)), title, cell(number(a.plays)), cell(duration(a.minutes))];
  });
  fillRowsOrNone('album-rows', albums, 'No albums in this range.');
  fillRows('discovery-rows', data.discoveries.series.map((m) => {
    const names = document.createElement('td');
    names.append(...linkedList(m.names, m.urls));
    return [cell(periodLabel(m.period, true)), cell(number(m.artists)), names];
  }));
}

function changeBadge(now, before) {
  const span = document.createElement('span');
  if (!before) {
    span.className = 'change change-none';
    span.textContent = 'no earlier data to compare';
    return span;
  }
  const change = Math.round(((now - before) / before) * 1000) / 10;
  span.className = `change ${change > 0 ? 'change-up' : change < 0 ? 'change-down' : 'change-flat'}`;
  const arrow = document.createElement('span');
  arrow.setAttribute('aria-hidden', 'true');
  arrow.textContent = change > 0 ? '▲' : change < 0 ? '▼' : '■';
  span.append(arrow, ` ${change > 0 ? '+' : ''}${change.toFixed(1)}% vs previous period`);
  return span;
}

function renderCards() {
  const s = data.summary;
  $$('[data-stat]').forEach((card) => {
    const key = card.dataset.stat;
    const write = key === 'minutes' ? duration : number;
    card.querySelector('[data-value]').textContent = write(s[key]);
    // "All time" has no previous period (previous is null): no comparison at all.
    const change = card.querySelector('[data-change]');
    const previous = card.querySelector('[data-previous]');
    change.hidden = !s.previous;
    previous.hidden = !s.previous;
    if (!s.previous) return;
    change.replaceChildren(changeBadge(s[key], s.previous[key]));
    previous.textContent = `previous period: ${write(s.previous[key])}`;
  });
}

function renderHeatmap() {
  const cells = data.heatmap.cells;
  const peak = Math.max(0, ...cells.flat());
  $$('#heatmap tbody tr').forEach((row, day) => {
    $$('td', row).forEach((td, hour) => {
      const count = cells[day][hour];
      const level = count ? Math.min(5, Math.max(1, Math.ceil((count * 5) / peak))) : 0;
      td.className = `heat heat-${level}`;
      td.title = `${DAYS[day]} ${hour}:00 · ${count} plays`;
      td.firstElementChild.textContent = String(count);
    });
  });
}

function renderRange() {
  const r = data.range;
  $$('[data-range-label]').forEach((el) => { el.textContent = r.label; });
  $$('[data-range-dates]').forEach((el, i) => {
    const [start, end] = [periodLabel(r.start, true), periodLabel(r.end, true)];
    el.textContent = i === 0 ? `${start} to ${end}` : `${start} and ${end}`;
  });
  $$('[data-range]').forEach((a) => {
    if (a.dataset.range === r.key) a.setAttribute('aria-current', 'true');
    else a.removeAttribute('aria-current');
  });
  const range = r.key ? `range=${encodeURIComponent(r.key)}` : `start=${r.start}&end=${r.end}`;
  $$('[data-see-all]').forEach((a) => { a.href = `/analytics/top/${a.dataset.seeAll}?${range}`; });
  form.elements.start.value = r.start;
  form.elements.end.value = r.end;
  $$('[data-volume-bucket]').forEach((el) => { el.textContent = data.volume.bucket; });
  $$('[data-discovery-bucket]').forEach((el) => { el.textContent = data.discoveries.bucket; });
  const partial = document.querySelector('[data-volume-partial]');
  if (partial) {
    partial.hidden = !data.volume.partial_last;
    partial.textContent = ` The last ${data.volume.bucket} is not over: its dashed line is the total so far.`;
  }
  document.getElementById('discovery-chart')?.setAttribute('aria-label', `Bar chart of new artists discovered per ${data.discoveries.bucket}`);
}

function render() {
  const empty = data.summary.plays === 0 && data.summary.minutes === 0;
  document.getElementById('analytics-empty').hidden = !empty;
  document.getElementById('analytics-charts').hidden = empty;
  const noGenres = data.genres.items.length === 0;
  document.querySelector('[data-genre-box]').hidden = noGenres;
  document.querySelector('[data-genre-empty]').hidden = !noGenres;
  const unknown = document.querySelector('[data-genre-unknown]');
  unknown.hidden = !data.genres.unknown_plays;  // "0% ... no known genre" is noise
  unknown.textContent = `${Math.round(data.genres.unknown_share * 100)}% of plays are by artists with no known genre (not in the chart).`;
  renderRange();
  renderCards();
  renderTables();
  renderHeatmap();
  if (empty) return;
  const draw = () => {
    drawVolume();
    if (!noGenres) drawGenres();
    drawArtists();
    drawDiscoveries();
  };
  // Chart.js arrives after the first paint; a range picked before that is drawn once it has.
  if (window.Chart) draw();
  else loadChartJs().then(draw).catch(chartsUnavailable);
}

// -- fetching ---------------------------------------------------------------------------

function fetchJson(path, query) {
  return getJson(`/api/stats/${path}${path.includes('?') ? '&' : '?'}${query}`);
}

/** Loading shows where the change will land: the chosen chip is selected at once and marked
 * busy, and every chart and table card gets its own spinner; the page is not dimmed. */
function showLoading(query, loading) {
  const key = query.get('range') || (query.get('start') ? '' : '12m');
  if (loading) {
    $$('[data-range]').forEach((a) => {
      if (a.dataset.range === key) a.setAttribute('aria-current', 'true');
      else a.removeAttribute('aria-current');
    });
    const chip = key && document.querySelector(`[data-range="${CSS.escape(key)}"]`);
    if (chip) chip.setAttribute('aria-busy', 'true');
    else form.querySelector('button[type="submit"]')?.setAttribute('aria-busy', 'true');
  } else {
    $$('[data-range][aria-busy], #range-form [aria-busy]').forEach((el) => el.removeAttribute('aria-busy'));
  }
  $$('.card', results).forEach((card) => card.classList.toggle('is-loading', loading));
}

/** The error in plain words, with what to do and a Retry button that repeats the request. */
function showError(err, search, push) {
  const reason = err.unreachable ? "Couldn't reach the server" : err.message.replace(/\.$/, '');
  errorBox.replaceChildren(`${reason} — your numbers below are from before. `);
  const retry = document.createElement('button');
  retry.type = 'button';
  retry.className = 'button button-secondary button-small';
  retry.textContent = 'Retry';
  retry.addEventListener('click', () => load(search, push));
  errorBox.append(retry);
  errorBox.hidden = false;
}

function apiQuery(search) {
  const given = new URLSearchParams(search);
  const query = new URLSearchParams();
  ['range', 'start', 'end'].forEach((k) => { if (given.get(k)) query.set(k, given.get(k)); });
  return query;
}

function labelFor(query) {
  const key = query.get('range');
  const link = key && document.querySelector(`[data-range="${CSS.escape(key)}"]`);
  if (link) return link.textContent.trim();
  if (!key && !query.get('start')) return document.querySelector('[data-range="12m"]')?.textContent.trim() || '12 months';
  return 'Custom range';
}

async function load(search, push) {
  const ticket = ++latest;
  const query = apiQuery(search);
  results.setAttribute('aria-busy', 'true');
  showLoading(query, true);
  statusBox.textContent = 'Loading…';
  try {
    const keys = Object.keys(ENDPOINTS);
    const answers = await Promise.all(keys.map((k) => fetchJson(ENDPOINTS[k], query.toString())));
    if (ticket !== latest) return;
    const next = Object.fromEntries(keys.map((k, i) => [k, answers[i]]));
    const s = next.summary;
    const days = Math.round((Date.parse(s.end) - Date.parse(s.start)) / 86400000) + 1;
    next.range = { start: s.start, end: s.end, key: query.get('range') || (query.get('start') ? '' : '12m'), label: labelFor(query), days };
    data = next;
    errorBox.hidden = true;
    render();
    if (push) history.pushState({ search: `?${query}` }, '', `${location.pathname}?${query}`);
    statusBox.textContent = `Showing ${data.range.label}.`;
  } catch (err) {
    if (ticket !== latest) return;
    renderRange();  // the chips show the range the numbers are for again
    showError(err, search, push);
    statusBox.textContent = '';
    errorBox.querySelector('button')?.focus();
  } finally {
    if (ticket === latest) {
      results.setAttribute('aria-busy', 'false');
      showLoading(query, false);
    }
  }
}

function upgrade() {
  $$('[data-js-only]').forEach((el) => { el.hidden = false; });
  $$('[data-metric]').forEach((button) => button.addEventListener('click', () => {
    metric = button.dataset.metric;
    drawVolume();
  }));
  $$('[data-range]').forEach((link) => link.addEventListener('click', (event) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
    event.preventDefault();
    load(`?range=${encodeURIComponent(link.dataset.range)}`, true);
  }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new URLSearchParams({ start: form.elements.start.value, end: form.elements.end.value });
    load(`?${query}`, true);
  });
  history.replaceState({ search: location.search }, '');
  window.addEventListener('popstate', (event) => {
    load(event.state?.search ?? location.search, false);
  });
}

if (data && results) {
  const empty = data.summary.plays === 0 && data.summary.minutes === 0;
  upgrade();
  if (!empty) {
    const drawers = [drawVolume, drawArtists, drawDiscoveries];
    if (data.genres.items.length) drawers.splice(1, 0, drawGenres);
    drawInTurn(drawers.map((draw) => () => draw(FIRST_DRAW))).catch(chartsUnavailable);
  }
}
