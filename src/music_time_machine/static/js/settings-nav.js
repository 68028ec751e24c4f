// Settings' section nav marks the section being read (aria-current), so on a long page the
// side nav (wide screens) or the top row (phones) says where you are. Without JavaScript the
// links still jump to their sections; only the highlight is missing.
const nav = document.querySelector('.settings-nav');
const links = nav ? Array.from(nav.querySelectorAll('a[href^="#"]')) : [];
const byId = new Map(links.map((a) => [a.getAttribute('href').slice(1), a]));
const sections = Array.from(byId.keys(), (id) => document.getElementById(id)).filter(Boolean);

function mark(id) {
  for (const [key, link] of byId) {
    if (key === id) {
      link.setAttribute('aria-current', 'true');
      // Phones: keep the highlighted link in view in the row that scrolls sideways (set
      // scrollLeft rather than scrollIntoView, which could move the page too).
      const row = link.closest('ul');
      if (row.scrollWidth > row.clientWidth) row.scrollLeft = link.offsetLeft - row.offsetLeft - 16;
    } else {
      link.removeAttribute('aria-current');
    }
  }
}

if (sections.length && 'IntersectionObserver' in window) {
  const visible = new Set();
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) visible.add(entry.target.id); else visible.delete(entry.target.id);
    }
    // The first section in page order that is on screen is the one being read.
    const first = sections.find((s) => visible.has(s.id));
    if (first) mark(first.id);
  }, { rootMargin: '-15% 0px -55% 0px' });
  sections.forEach((s) => observer.observe(s));
}
