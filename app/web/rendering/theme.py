"""The portfolio's theme as CSS: each template's default colours and fonts, the font stacks,
and the custom properties pages and styled sections get, text colours made readable.

Values reach a <style> element only through `css_declarations` and `css_url`, which refuse
anything that could end a declaration or the element (HTML escaping does not apply there).
"""
import re

from markupsafe import Markup

from .colours import checked_colour, luminance, mix, readable, text_on

TEMPLATE_THEMES = {
    "classic": {"primary_color": "#7b2d26", "accent_color": "#a8875a",
                "background_color": "#f6f3ee", "text_color": "#26221e",
                "heading_font": "serif", "body_font": "serif"},
    "modern": {"primary_color": "#1f4e79", "accent_color": "#e07a1f",
               "background_color": "#f3f5f9", "text_color": "#1b2330",
               "heading_font": "geometric", "body_font": "sans"},
    "minimal": {"primary_color": "#111111", "accent_color": "#555555",
                "background_color": "#ffffff", "text_color": "#161616",
                "heading_font": "system", "body_font": "system"},
}
FONT_STACKS = {
    "system": 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
              'sans-serif',
    "sans": '"Helvetica Neue", Helvetica, Arial, "Liberation Sans", "Nimbus Sans", sans-serif',
    "serif": '"Iowan Old Style", "Palatino Linotype", Palatino, "URW Palladio L", Georgia, '
             'Cambria, "Times New Roman", "Liberation Serif", serif',
    "mono": 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", '
            '"DejaVu Sans Mono", monospace',
    "humanist": 'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", source-sans-pro, '
                'sans-serif',
    "geometric": 'Avenir, "Avenir Next LT Pro", Montserrat, Corbel, "URW Gothic", '
                 'source-sans-pro, sans-serif',
}

_CSS_VALUE = re.compile(r'^[#\w\s",.-]+$')
# A URL the app built (proof files) may go into a <style> element only if it is this plain.
_PLAIN_URL = re.compile(r"^[A-Za-z0-9/._~:?=&%+-]+$")


def theme_variables(theme, template):
    """CSS custom properties for the page, from the theme over the template's defaults, with
    text colours corrected wherever they would not reach AA contrast."""
    defaults = TEMPLATE_THEMES[template]
    theme = theme or {}
    primary = checked_colour(theme.get("primary_color"), defaults["primary_color"])
    accent = checked_colour(theme.get("accent_color"), defaults["accent_color"])
    background = checked_colour(theme.get("background_color"), defaults["background_color"])
    text = readable(checked_colour(theme.get("text_color"), defaults["text_color"]), background)
    light = luminance(background) > 0.4
    surface = mix(background, "#ffffff", 0.75) if light else mix(background, "#ffffff", 0.07)
    return {
        "primary": primary, "on-primary": text_on(primary),
        "primary-text": readable(primary, surface),
        "accent": accent, "on-accent": text_on(accent),
        "accent-text": readable(accent, surface),
        "background": background, "surface": surface, "text": readable(text, surface),
        "muted": readable(mix(text, background, 0.35), surface),
        "border": mix(text, background, 0.82),
        "heading-font": FONT_STACKS.get(theme.get("heading_font"),
                                        FONT_STACKS[defaults["heading_font"]]),
        "body-font": FONT_STACKS.get(theme.get("body_font"), FONT_STACKS[defaults["body_font"]]),
    }


def section_variables(style, page_variables):
    """Custom properties for one section's own colours, each text colour readable on its
    background."""
    style = style or {}
    background = checked_colour(style.get("background_color"), None)
    text = checked_colour(style.get("text_color"), None)
    heading = checked_colour(style.get("heading_color"), None)
    if not (background or text or heading):
        return {}
    ground = background or page_variables["surface"]
    text = readable(text or page_variables["text"], ground)
    variables = {"text": text, "muted": readable(mix(text, ground, 0.35), ground),
                 "heading": readable(heading or text, ground)}
    if background:
        variables |= {"section-background": background, "border": mix(text, ground, 0.8),
                      "primary-text": readable(page_variables["primary"], ground)}
    return variables


def css_declarations(variables):
    """`--name: value;` pairs for a <style> block, where HTML escaping would break the font
    stacks' quotes. Names are ours; values come from `checked_colour` and FONT_STACKS, and are
    checked once more to hold nothing that could end a declaration or the <style> element."""
    for value in variables.values():
        if not _CSS_VALUE.match(value):
            raise ValueError(f"refusing CSS value {value!r}")
    return Markup(" ".join(f"--{name}: {value};" for name, value in variables.items()))


def css_url(url):
    """`url("...")` for a <style> element, or None: only a URL of plain characters, which can
    end neither the CSS string nor the element."""
    return Markup(f'url("{url}")') if url and _PLAIN_URL.match(url) else None
