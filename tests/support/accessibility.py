"""axe-core (node_modules, from package-lock.json) run inside Chromium, and the phone-first
measures the accessibility tests share: horizontal overflow and touch targets."""

from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA (RGAA's reference), and axe's best practices (landmarks, headings).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return results.violations
    .filter((violation) => ["serious", "critical"].includes(violation.impact))
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      targets: violation.nodes.slice(0, 6).map((node) => node.target.join(" ")),
      why: violation.nodes[0].failureSummary,
    }));
}"""
MIN_TARGET = 44  # CSS px: WCAG 2.5.5's target size, and a finger's
SMALL_TARGETS = """(minimum) => Array.from(document.querySelectorAll(
    "button, a[href], input:not([type=hidden]), select, textarea, summary"))
  .filter((element) => {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;  // not shown
    // A radio or a checkbox is reached through its label, the target a finger touches.
    const labelled = ["radio", "checkbox"].includes(element.type) && element.labels.length;
    const target = labelled ? element.labels[0].getBoundingClientRect() : box;
    // Links inside running text are exempt (WCAG 2.5.5's "inline" exception).
    if (element.tagName === "A" && getComputedStyle(element).display === "inline") return false;
    return target.width < minimum || target.height < minimum;
  })
  .map((element) => {
    const box = element.getBoundingClientRect();
    const name = (element.getAttribute("aria-label") || element.textContent || element.name || "");
    return `${element.tagName.toLowerCase()} "${name.trim().slice(0, 30)}" `
      + `${Math.round(box.width)}×${Math.round(box.height)}`;
  })"""


@cache
def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        raise FileNotFoundError(f"{AXE_SCRIPT} is missing: `make install` runs npm ci")
    return AXE_SCRIPT.read_text()


def axe_violations(page) -> list[dict]:
    """The serious and critical violations axe finds on the page as it is now. The page's
    context must bypass the Content-Security-Policy (axe is injected as an inline script)."""
    page.add_script_tag(content=axe_source())
    return page.evaluate(RUN_AXE, AXE_TAGS)


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than its viewport (0: no horizontal scrolling)."""
    return page.evaluate(
        "() => Math.max(0, document.scrollingElement.scrollWidth - window.innerWidth)"
    )


def overflowing(page) -> list[str]:
    """The innermost elements that reach past the viewport's right edge (what to fix)."""
    return page.evaluate(
        """() => Array.from(document.body.querySelectorAll("*"))
          .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
          .filter((element) => !Array.from(element.children).some(
            (child) => child.getBoundingClientRect().right > window.innerWidth + 0.5))
          .slice(0, 5)
          .map((element) => element.tagName.toLowerCase() + "." + element.className)"""
    )


def small_targets(page) -> list[str]:
    """Visible buttons, links (outside running text), inputs and summaries smaller than
    44 × 44 CSS px."""
    return page.evaluate(SMALL_TARGETS, MIN_TARGET)
