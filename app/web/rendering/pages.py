"""The HTML pages visitors see: a portfolio in its template, the password form, the error and
"link gone" pages."""
from urllib.parse import urljoin

from .formatting import format_timestamp
from .page_model import build_page
from .templating import render
from .theme import css_url


def _summary(view):
    """One or two sentences for the meta description and link previews."""
    profile = view.get("profile") or {}
    text = profile.get("headline") or profile.get("bio") or view.get("description") \
        or profile.get("title") or view.get("title") or ""
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:197].rsplit(" ", 1)[0] + "…"


def render_portfolio_page(view, *, audience, proof_url, page_url, pdf_url, noindex):
    """The full HTML page of `view` in its template."""
    page = build_page(view, proof_url)
    language = page["language"]
    profile = view.get("profile") or {}
    photo_id = profile.get("photo_proof_id")
    photo_url = proof_url(photo_id, True) if photo_id else None
    background_id = (view.get("theme") or {}).get("background_image_proof_id")
    background_url = proof_url(background_id, False) if background_id else None
    name = profile.get("display_name") or view.get("title") or "Portfolio"
    return render(
        f"portfolio/{page['template']}.html", language, view=view, page=page, profile=profile,
        audience=audience, name=name, summary=_summary(view),
        updated=format_timestamp(view.get("updated_at"), language), photo_url=photo_url,
        og_image=urljoin(page_url, photo_url) if photo_url else None,
        background_image=css_url(background_url),
        page_url=page_url, pdf_url=pdf_url, noindex=noindex)


def render_password_page(*, title, slug, unlock_url, failed, language=None):
    """The form a password-protected portfolio shows until unlocked (POSTs `password`), in the
    portfolio's language; `failed`: the last password tried was wrong."""
    return render("portfolio/password.html", language, title=title, slug=slug,
                  unlock_url=unlock_url, failed=failed)


def render_error_page(*, code, status, message, language=None):
    """The HTML error page of the visitor-facing routes (the API answers JSON), in `language`
    (its `status` and `message` are given in it)."""
    return render("portfolio/error.html", language, code=code, status=status, message=message)


def render_gone_page(*, language=None):
    """The friendly 410 page of an expired or revoked recruiter link, in `language` (the
    visitor's: the portfolio behind the link is no longer shown)."""
    return render("portfolio/gone.html", language)
