"""Colour maths on #rrggbb strings: WCAG contrast, mixing, and text colours corrected until
they read well on their background."""
import re

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def checked_colour(value, default):
    """`value` lower-cased if it is a #rrggbb colour, else `default`: nothing else reaches CSS."""
    return value.lower() if isinstance(value, str) and _HEX.match(value) else default


def _rgb(colour):
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _hex(rgb):
    return "#" + "".join(f"{max(0, min(255, round(channel))):02x}" for channel in rgb)


def luminance(colour):
    """WCAG relative luminance of a #rrggbb colour."""
    def linear(channel):
        channel /= 255
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4
    red, green, blue = (linear(channel) for channel in _rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second):
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def mix(colour, other, amount):
    """`colour` moved `amount` (0–1) of the way towards `other`."""
    return _hex(a + (b - a) * amount for a, b in zip(_rgb(colour), _rgb(other)))


def text_on(background):
    """Black or white, whichever reads better on `background`."""
    return "#ffffff" if contrast("#ffffff", background) > contrast("#111111", background) \
        else "#111111"


def readable(colour, background, minimum=4.5):
    """`colour`, darkened or lightened just enough to reach `minimum` contrast on
    `background` (WCAG AA for text is 4.5)."""
    target = text_on(background)
    for step in range(11):
        candidate = mix(colour, target, step / 10)
        if contrast(candidate, background) >= minimum:
            return candidate
    return target
