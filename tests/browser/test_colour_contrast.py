"""colour.js: the WCAG 2 contrast ratio behind the design pane's warning."""
import pytest

RATIOS = """async (pairs) => {
  const { contrastRatio } = await import("/static/app/colour.js");
  return pairs.map(([first, second]) => contrastRatio(first, second));
}"""
EXPECTED = [
    ("#000000", "#ffffff", 21.0),
    ("#ffffff", "#000000", 21.0),   # either order
    ("#3444c4", "#3444c4", 1.0),
    ("#767676", "#ffffff", 4.54),   # the lightest grey that passes AA on white
    ("#777777", "#ffffff", 4.48),   # one step lighter fails
    ("#1f4e79", "#f3f5f9", 7.94),   # the modern template's primary on its background
]


def test_contrast_ratio(page):
    page.goto("/")
    ratios = page.evaluate(RATIOS, [[first, second] for first, second, _ in EXPECTED])
    assert ratios == [pytest.approx(expected, abs=0.01) for _, _, expected in EXPECTED]
