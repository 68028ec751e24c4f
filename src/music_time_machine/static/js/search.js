// The header's search box as a combobox (WAI-ARIA 1.2 pattern, list autocomplete): while
// typing, suggestions from /api/search appear in a listbox; ArrowDown/ArrowUp move through
// them, Enter opens the highlighted one (or submits the form to /search when none is),
// Escape closes the list. Without JavaScript the box is a plain GET form to /search.
const input = document.getElementById('site-search-q');
const list = document.getElementById('site-search-list');
const status = document.getElementById('site-search-status');
const DELAY_MS = 150;
const KINDS = { artist: 'Artist', album: 'Album', track: 'Track' };

if (input && list) {
  let timer = 0;
  let ticket = 0;
  let options = [];
  let active = -1;

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };

  const highlight = (index) => {
    options.forEach((li, i) => li.setAttribute('aria-selected', String(i === index)));
    active = index;
    if (index >= 0) {
      input.setAttribute('aria-activedescendant', options[index].id);
      options[index].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };

  const option = (item, index) => {
    const li = document.createElement('li');
    li.id = `site-search-option-${index}`;
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', 'false');
    li.dataset.url = item.url;
    const kind = document.createElement('span');
    kind.className = 'suggest-kind';
    kind.textContent = KINDS[item.kind];
    const name = document.createElement('span');
    name.textContent = item.name;
    li.append(kind, name);
    if (item.artists.length) {
      const by = document.createElement('span');
      by.className = 'suggest-by';
      by.textContent = item.artists.join(', ');
      li.append(by);
    }
    // mousedown, not click: the input's blur would close the list before a click lands.
    li.addEventListener('mousedown', (event) => {
      event.preventDefault();
      window.location.assign(item.url);
    });
    return li;
  };

  const show = (results) => {
    const items = ['artist', 'album', 'track'].flatMap((kind) => results[kind] || []);
    options = items.map(option);
    if (options.length) {
      list.replaceChildren(...options);
    } else {
      const none = document.createElement('li');
      none.className = 'suggest-none';
      none.textContent = 'Nothing you played matches. Press Enter to search anyway.';
      list.replaceChildren(none);
    }
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    active = -1;
    status.textContent = options.length ? `${options.length} suggestions; use the arrow keys.` : 'No suggestions.';
  };

  const suggest = async () => {
    const q = input.value.trim();
    const mine = ++ticket;
    if (!q) {
      close();
      return;
    }
    try {
      const response = await fetch(`${input.dataset.suggest}?q=${encodeURIComponent(q)}`, {
        headers: { Accept: 'application/json' }, credentials: 'same-origin',
      });
      if (mine !== ticket) return;
      if (!response.ok) {
        close();
        return;
      }
      show((await response.json()).results);
    } catch {
      if (mine === ticket) close();
    }
  };

  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, DELAY_MS);
  });

  input.addEventListener('keydown', (event) => {
    const open = !list.hidden && options.length > 0;
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      if (!open) suggest();
      else highlight((active + 1) % options.length);
    } else if (event.key === 'ArrowUp' && open) {
      event.preventDefault();
      highlight(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === 'Enter' && open && active >= 0) {
      event.preventDefault();
      window.location.assign(options[active].dataset.url);
    } else if (event.key === 'Escape' && !list.hidden) {
      event.preventDefault();
      close();
    }
  });

  input.addEventListener('blur', close);
}
