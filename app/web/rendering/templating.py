"""The Jinja environment of the portfolio templates (app/templates/portfolio/), with the
formatting helpers as filters, and our own stylesheets inlined."""
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..security_headers import style_nonce
from .formatting import (
    AVAILABILITY_LABELS, format_date, format_number, format_period, http_url, network_label,
    paragraphs, type_label, url_display,
)

APP_DIR = Path(__file__).resolve().parent.parent.parent
STATIC_DIR = APP_DIR / "static"
TEMPLATE_DIR = APP_DIR / "templates"


@lru_cache(maxsize=None)
def stylesheet(name):
    """One of our own stylesheets, inlined so a page makes no other request (read once)."""
    return Markup((STATIC_DIR / "portfolio" / f"{name}.css").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def environment():
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR),
                      autoescape=select_autoescape(("html",), default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(date=format_date, number=format_number, paragraphs=paragraphs,
                       http_url=http_url, url_display=url_display, network=network_label,
                       type_label=type_label)
    env.globals.update(period=format_period, stylesheet=stylesheet, csp_nonce=style_nonce,
                       availability_labels=AVAILABILITY_LABELS)
    return env


def render(template_name, **context):
    return environment().get_template(template_name).render(**context)
