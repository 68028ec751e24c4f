// The playlist form shows only the fields the chosen source reads. Each group carries
// `data-sources` (the source keys that use it, from playlists/options.py FIELDS_FOR_SOURCES);
// a group for other sources is hidden, and its inputs disabled so that they are neither
// focusable nor sent. Without JavaScript every group shows under a heading naming its sources.
const form = document.querySelector('.js-playlist-form');
const source = form?.querySelector('#source');

function showChosenSourceFields() {
  for (const group of form.querySelectorAll('[data-sources]')) {
    const used = group.dataset.sources.split(' ').includes(source.value);
    group.hidden = !used;
    for (const input of group.querySelectorAll('input, select, textarea')) input.disabled = !used;
  }
}

if (form && source) {
  source.addEventListener('change', showChosenSourceFields);
  showChosenSourceFields();
}
