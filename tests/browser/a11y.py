"""axe-core accessibility checks for Playwright pages.

axe-core is vendored (tests/browser/vendor, see its README) so the checks run offline and
always with the same rules. The app's CSP is ``script-src 'self'``, so a ``<script>`` tag
with axe's source would be refused; instead the source is evaluated through Playwright
(DevTools' ``Runtime.evaluate`` is not subject to the page's CSP), which also works on pages
opened with JavaScript disabled. The page's own state is left as it is.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).with_name("vendor") / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")

_RUN_AXE = """async (impacts) => {
  // axe's default rule set: WCAG 2.x A/AA plus its best practices (not experimental).
  const result = await window.axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => impacts.includes(v.impact))
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '),
                                                      summary: n.failureSummary}))}));
}"""


# With JavaScript disabled for the page, Chromium never fires its timers, even once script
# execution is switched back on for the check; axe waits on setTimeout between rules, so
# they run as microtasks instead. Only used on pages that run no scripts of their own.
_TIMERS_AS_MICROTASKS = """() => {
  window.setTimeout = (fn, ms, ...args) => { Promise.resolve().then(() => fn(...args)); return 0; };
  window.clearTimeout = () => {};
  window.requestAnimationFrame = (fn) => {
    Promise.resolve().then(() => fn(performance.now())); return 0;
  };
}"""


@cache
def _axe_source() -> str:
    # Wrapped in a function body so Playwright evaluates it as a statement list, not as an
    # expression it might try to call.
    return f"() => {{ {AXE_JS.read_text(encoding='utf-8')}\n; return typeof window.axe; }}"


def axe_violations(
    page: Any, *, javascript: bool = True, impacts: tuple[str, ...] = BLOCKING_IMPACTS
) -> list[dict]:
    """Inject axe-core into ``page`` (once) and return its violations of the given impacts.

    Pass ``javascript=False`` for a page opened with JavaScript disabled: Playwright cannot
    evaluate anything there, so script execution is switched on through DevTools just for
    the check and off again afterwards. The page's own scripts, skipped at load, do not run,
    so axe sees exactly what a visitor without JavaScript sees. Timers never fire on such
    a page, so axe's are replaced by microtasks there.

    Each violation is ``{id, impact, help, nodes: [{target, summary}]}`` (at most five
    nodes), enough to name the element and the rule in a failing assertion.
    """
    cdp = None
    if not javascript:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Emulation.setScriptExecutionDisabled", {"value": False})
    try:
        if page.evaluate("() => typeof window.axe") != "object":
            assert page.evaluate(_axe_source()) == "object", "axe-core did not load"
        if not javascript:
            page.evaluate(_TIMERS_AS_MICROTASKS)
        return page.evaluate(_RUN_AXE, list(impacts))
    finally:
        if cdp is not None:
            cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
            cdp.detach()


def format_violations(violations: list[dict]) -> str:
    """One readable line per failing node, for assertion messages."""
    lines = []
    for v in violations:
        for node in v["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"[{v['impact']}] {v['id']}: {v['help']} — {node['target']}: {summary}")
    return "\n".join(lines)


def assert_accessible(page: Any, where: str, *, javascript: bool = True) -> None:
    """Fail with every serious or critical axe violation on the page, named by ``where``."""
    violations = axe_violations(page, javascript=javascript)
    assert not violations, f"axe on {where} ({page.url}):\n{format_violations(violations)}"
