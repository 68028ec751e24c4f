// When Chart.js cannot be loaded (blocked, offline, a broken proxy), each chart says so in
// its own place and its table of numbers is opened, so nothing on the page is left blank.
// Every page module passes chartsUnavailable to the .catch() of its drawing.

export const CHART_MISSING = 'This chart could not be drawn (its script did not load). The numbers are in the table below.';

/** Replace every chart box of the page with a note and open the table that follows it. */
export function chartsUnavailable() {
  document.querySelectorAll('.chart-box').forEach((box) => {
    if (box.hidden || box.dataset.chartMissing) return;
    box.dataset.chartMissing = 'true';
    box.hidden = true;
    const note = document.createElement('p');
    note.className = 'chart-missing';
    note.textContent = CHART_MISSING;
    box.after(note);
    let next = note.nextElementSibling;
    while (next && !next.matches('details.data-table') && !next.matches('.chart-box')) next = next.nextElementSibling;
    if (next?.matches('details.data-table')) next.open = true;
  });
}
