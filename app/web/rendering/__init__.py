"""How a published portfolio looks: HTML pages in three templates, and the PDF.

Everything here renders a view that `app.services.visibility.portfolio_view` already cut down
to one audience; nothing here decides what an audience may see. The routes call the
`render_*` functions and hand in the URLs (pages, PDF, proof files) they serve.

Safety: Jinja autoescaping is on and no template marks user data safe. Colours and fonts reach
CSS only after `theme` re-checks them, and links only when they are http(s); the PDF fetches
nothing (see `pdf`).

Modules: `formatting` (dates, links, labels), `colours` (contrast maths), `theme` (CSS custom
properties), `page_model` (sections in order and per column), `templating` (Jinja), `pages`
(HTML), `pdf`.
"""
from .formatting import document_title
from .page_model import DEFAULT_HEADINGS, DEFAULT_ORDER, SIDE_BY_DEFAULT
from .pages import (
    render_error_page, render_gone_page, render_password_page, render_portfolio_page,
)
from .pdf import render_portfolio_pdf
from .theme import FONT_STACKS, TEMPLATE_THEMES

__all__ = [
    "DEFAULT_HEADINGS", "DEFAULT_ORDER", "FONT_STACKS", "SIDE_BY_DEFAULT", "TEMPLATE_THEMES",
    "document_title",
    "render_error_page", "render_gone_page", "render_password_page", "render_portfolio_page",
    "render_portfolio_pdf",
]
