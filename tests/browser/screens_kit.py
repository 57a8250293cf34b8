"""Checks every screen of the workbenches passes in the browser tests (issue 19): a screenshot kept as a test
artefact (build/test-artefacts/, ignored by git) that is not blank, no character drawn as a missing-glyph box,
and no serious or critical accessibility violation found by axe-core (tools/axe, installed by
deploy/install-tools.sh; missing, the test fails, never skips).

    from screens_kit import assert_screen_ok, set_viewport
    set_viewport(browser, 390, 844, mobile=True)     # a phone
    assert_screen_ok(browser, "window-consult")      # 1366x768 by default (the DevTools fixture's size)

`browser` is a devtools_kit.DevTools.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from chromium_kit import read_png
from yici_testkit import ROOT

ARTEFACTS = ROOT / "build" / "test-artefacts"
AXE = ROOT / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_HINT = "run `bash deploy/install-tools.sh axe` (npm ci --prefix tools/axe)"
SERIOUS = ("serious", "critical")

# For each distinct non-ASCII character of the page's text: drawn on a canvas in the font of the element that
# holds it, is it the same picture as a code point no font has (U+10FFFD, drawn as the missing-glyph box)?
_MISSING_GLYPHS = r"""(() => {
  const canvas = document.createElement('canvas'); canvas.width = 48; canvas.height = 48;
  const pen = canvas.getContext('2d', {willReadFrequently: true});
  const draw = (text, font) => { pen.clearRect(0, 0, 48, 48); pen.font = '28px ' + font; pen.fillStyle = '#000';
    pen.fillText(text, 4, 36); return Array.from(pen.getImageData(0, 0, 48, 48).data).join(','); };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Map();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement; if (!parent) continue;
    const style = getComputedStyle(parent);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    for (const ch of node.data) {
      if (ch.codePointAt(0) < 128 || !ch.trim()) continue;
      const key = ch + '\u0000' + style.fontFamily;
      if (!seen.has(key)) seen.set(key, [ch, style.fontFamily]);
    }
  }
  const boxes = new Map(), missing = new Set();
  for (const [ch, font] of seen.values()) {
    if (!boxes.has(font)) boxes.set(font, draw('\u{10FFFD}', font));
    if (draw(ch, font) === boxes.get(font)) missing.add(ch);
  }
  return [...missing];
})()"""


def set_viewport(browser, width: int, height: int, mobile: bool = False) -> None:
    """Lay the page out as on a `width`x`height` screen (a phone with mobile=True: touch, device scale 2)."""
    browser.page("Emulation.setDeviceMetricsOverride", width=width, height=height,
                 deviceScaleFactor=2 if mobile else 1, mobile=mobile)


def keep_screenshot(browser, name: str) -> Path:
    """The visible screen as build/test-artefacts/<name>.png."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTEFACTS / f"{name}.png"
    shot.write_bytes(base64.b64decode(browser.page("Page.captureScreenshot", format="png")["data"]))
    return shot


def ink_share(shot: Path) -> float:
    """The share of pixels that are not near-white (text, lines, buttons)."""
    return read_png(shot).share(lambda r, g, b: r + g + b < 600)


def missing_glyphs(browser) -> list[str]:
    """The characters of the page's visible text that its fonts cannot draw (shown as boxes)."""
    return browser.evaluate(_MISSING_GLYPHS) or []


def axe_violations(browser, impacts: tuple[str, ...] = SERIOUS) -> list[dict]:
    """axe-core's violations of the page at these impacts: [{id, impact, help, targets}]."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed: {AXE_HINT}")
    if not browser.evaluate("typeof window.axe === 'object'"):
        # injected over DevTools, so the pages' Content-Security-Policy (script-src 'self') does not apply
        browser.page("Runtime.evaluate", expression=AXE.read_text(encoding="utf-8"), returnByValue=True)
    expression = ("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => "
                  "({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' '))})))")
    result = browser.page("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
    assert "exceptionDetails" not in result, f"axe-core failed: {result['exceptionDetails']}"
    return [v for v in result["result"]["value"] if v["impact"] in impacts]


def assert_screen_ok(browser, name: str) -> Path:
    """Screenshot kept as <name>.png, not blank, every glyph drawn, no serious accessibility violation."""
    shot = keep_screenshot(browser, name)
    ink = ink_share(shot)
    assert 0.005 < ink < 0.6, f"{name}: the screen looks blank or broken ({ink:.3%} inked pixels), see {shot}"
    missing = missing_glyphs(browser)
    assert not missing, f"{name}: characters drawn as missing-glyph boxes: {''.join(missing)!r}"
    violations = axe_violations(browser)
    assert not violations, f"{name}: serious accessibility violations:\n{json.dumps(violations, ensure_ascii=False, indent=1)}"
    return shot
