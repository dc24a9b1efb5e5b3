"""The Jinja environments of the portfolio templates (app/templates/portfolio/), one per
language: `_()` from that language's catalogue, the formatting helpers as filters speaking it,
and our own stylesheets inlined."""
from functools import lru_cache, partial
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ...catalogues import page_language, translations
from ..security_headers import style_nonce
from .formatting import (
    availability_label, format_date, format_number, format_period, http_url, network_label,
    paragraphs, skill_level_label, type_label, url_display,
)

APP_DIR = Path(__file__).resolve().parent.parent.parent
STATIC_DIR = APP_DIR / "static"
TEMPLATE_DIR = APP_DIR / "templates"


@lru_cache(maxsize=None)
def stylesheet(name):
    """One of our own stylesheets, inlined so a page makes no other request (read once)."""
    return Markup((STATIC_DIR / "portfolio" / f"{name}.css").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def environment(language):
    """The environment of one language (built once each: installing a catalogue on a shared
    environment per render would race between threads)."""
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR),
                      autoescape=select_autoescape(("html",), default=True),
                      trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translations(language), newstyle=True)
    env.filters.update(date=partial(format_date, language=language), number=format_number,
                       paragraphs=paragraphs, http_url=http_url, url_display=url_display,
                       network=partial(network_label, language=language),
                       type_label=partial(type_label, language=language),
                       availability=partial(availability_label, language=language),
                       skill_level=partial(skill_level_label, language=language))
    env.globals.update(period=partial(format_period, language=language), language=language,
                       stylesheet=stylesheet, csp_nonce=style_nonce)
    return env


def render(template_name, language=None, **context):
    """`template_name` rendered in `language` (`<html lang>`, messages, dates)."""
    return environment(page_language(language)).get_template(template_name).render(**context)
