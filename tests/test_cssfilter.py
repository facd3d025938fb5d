"""cssfilter's limits, pinned at their edges: each bound kept where it is and refused one step past it.

Direct calls of ``filter_style`` (a pure function: the honest level); what a card finally shows is
checked in test_inert.py through Anki. Colours are pinned against the published WCAG contrast values.
"""

from __future__ import annotations

import pytest

from mlanki.cssfilter import _contrast, _rgb, filter_style

EDGES = [  # (declaration, kept?)
    # box sizes: width, height, max-width
    ("width: 1200px", True), ("width: 1201px", False), ("height: 900pt", True), ("height: 901pt", False),
    ("max-width: 60em", True), ("max-width: 61em", False), ("width: 60rem", True), ("width: 61rem", False),
    ("width: 100%", True), ("width: 101%", False), ("width: 0", True), ("width: 1", False),
    ("width: auto", True), ("width: 1px 2px", False),
    # spacing: margin, padding (up to four lengths)
    ("margin: 100px", True), ("margin: 101px", False), ("padding: 75pt", True), ("padding: 76pt", False),
    ("margin: 5em", True), ("margin: 6em", False), ("padding: 5rem", True), ("padding: 6rem", False),
    ("margin: 10%", True), ("margin: 11%", False), ("padding: 0", True), ("padding: 1", False),
    ("margin: 1px 2px 3px 4px", True), ("margin: 1px 2px 3px 4px 5px", False),
    ("margin: auto", True), ("padding: auto", False),
    # border: width, style, colour, each at most once
    ("border: 10px solid red", True), ("border: 11px solid red", False), ("border: 8pt dashed", True),
    ("border: 9pt dashed", False), ("border: 1em dotted", True), ("border: 2em dotted", False),
    ("border: 1rem double", True), ("border: 2rem double", False), ("border: 0% none", True),
    ("border: 1% none", False), ("border: 0 solid", True), ("border: 1 solid", False),
    ("border: solid solid", False), ("border: 1px 2px", False), ("border: red", True), ("border: wavy", False),
    # line height
    ("line-height: normal", True), ("line-height: 1", True), ("line-height: 0.9", False),
    ("line-height: 5", True), ("line-height: 5.5", False), ("line-height: 100%", True),
    ("line-height: 99%", False), ("line-height: 500%", True), ("line-height: 501%", False),
    ("line-height: 5em", True), ("line-height: 6em", False), ("line-height: 5rem", True),
    ("line-height: 6rem", False), ("line-height: 100px", True), ("line-height: 101px", False),
    ("line-height: 0.5px", False), ("line-height: 100pt", True),
    # keywords
    ("font-weight: 700", True), ("font-weight: 750", False), ("font-weight: bolder", True),
    ("font-style: oblique", True), ("font-style: slanted", False),
    ("text-decoration: underline line-through", True), ("text-decoration: blink", False),
    ("text-align: justify", True), ("text-align: middle", False),
    # colours: named, hex, rgb(); readable on the card's light and night backgrounds
    ("color: gray", True), ("color: grey", True), ("color: #abc", True), ("color: #ddd", False), ("color: #888", True),
    ("color: rgb(128, 128, 128)", True), ("color: rgb(256, 0, 0)", False), ("color: teal", True),
    ("background-color: gray", True), ("background: white", False),
]


@pytest.mark.parametrize("declaration, kept", EDGES)
def test_each_limit_holds_at_its_edge(declaration, kept):
    assert filter_style(declaration) == (declaration if kept else None)


def test_a_colour_is_read_against_the_elements_own_background_and_the_reverse():
    assert filter_style("color: white; background-color: black") == "color: white; background-color: black"
    assert filter_style("color: white; background: black") == "color: white; background: black"
    assert filter_style("background: black; color: white") == "background: black; color: white"
    assert filter_style("background: black") is None            # against the card's own (dark) text
    assert filter_style("color: #fff; background: #fefefe") is None
    assert filter_style("Color : Red ;  FONT-WEIGHT:bold;;") == "color: red; font-weight: bold"
    assert filter_style("color red; width: 10px") == "width: 10px"  # a declaration without a colon is dropped


def test_colours_and_contrast_follow_wcag():
    assert _rgb("#1a7f37") == (26, 127, 55) and _rgb("#abc") == (170, 187, 204)
    assert _rgb("rgb( 1 , 2 , 255 )") == (1, 2, 255) and _rgb("rgb(1, 2, 256)") is None
    assert _rgb("grey") == _rgb("gray") == (128, 128, 128) and _rgb("#abcd") is None
    assert _contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert _contrast((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    assert _contrast((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.005)  # #767676, WCAG's AA edge
    assert _contrast((119, 119, 119), (255, 255, 255)) == pytest.approx(4.48, abs=0.005)  # #777777
    assert _contrast((255, 0, 0), (255, 255, 255)) == pytest.approx(4.0, abs=0.005)
    assert _contrast((0, 0, 255), (0, 0, 0)) == pytest.approx(2.44, abs=0.005)
    assert _contrast((0, 128, 0), (255, 255, 255)) == pytest.approx(5.14, abs=0.005)
    assert _contrast((8, 8, 8), (0, 0, 0)) == pytest.approx(1.05, abs=0.005)


CSS_NAMED = {  # CSS Color Module Level 4, the basic and a few extended keywords mlanki accepts
    "black": (0, 0, 0), "white": (255, 255, 255), "red": (255, 0, 0), "green": (0, 128, 0), "blue": (0, 0, 255),
    "yellow": (255, 255, 0), "orange": (255, 165, 0), "purple": (128, 0, 128), "gray": (128, 128, 128),
    "grey": (128, 128, 128), "silver": (192, 192, 192), "navy": (0, 0, 128), "maroon": (128, 0, 0),
    "teal": (0, 128, 128), "olive": (128, 128, 0), "lime": (0, 255, 0), "aqua": (0, 255, 255),
    "fuchsia": (255, 0, 255), "brown": (165, 42, 42), "pink": (255, 192, 203), "darkred": (139, 0, 0),
    "darkgreen": (0, 100, 0), "darkblue": (0, 0, 139), "crimson": (220, 20, 60),
}


@pytest.mark.parametrize("name", sorted(CSS_NAMED))
def test_named_colours_are_the_css_ones(name):
    assert _rgb(name) == CSS_NAMED[name]
    assert _rgb("transparent") is None and _rgb("rebeccapurple") is None  # alpha, and names not in the list
