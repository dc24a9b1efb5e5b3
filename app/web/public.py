"""The pages visitors and recruiters open: /p/<slug>, /r/<token>, their PDFs, the unlock form.

Who may see what is decided in app/services/publishing.py (which portfolio, on what terms) and
app/services/visibility.py (which items); the look is app/web/rendering/.

Password-protected portfolios: GET answers the password form with 401 until unlocked. The form
posts to /p/<slug>/unlock, which always answers 303 back to /p/<slug>: with the unlock cookie
when the password is right, with `?unlock=failed` (the form then says so) when it is wrong.
"""
from flask import Blueprint, Response, current_app, g, redirect, request, url_for
from flask_limiter.util import get_remote_address

from .. import app_language
from ..extensions import limiter, without_mongo_deadline, without_rate_limits
from ..models.languages import LANGUAGES
from ..services import page_cache, pdf_cache, publishing
from ..services.visibility import portfolio_view
from ..services.visits import record_visit
from . import rendering
from .security_headers import style_nonce

bp = Blueprint("public_pages", __name__)


def _proof_url(base):
    """Proof file URLs under this page's own address (/p/<slug> or /r/<token>)."""
    def proof_url(proof_id, thumbnail=False):
        return f"{base}/proofs/{proof_id}" + ("?thumbnail=1" if thumbnail else "")
    return proof_url


def _proof_image(portfolio, view):
    """Bytes of an image proof this view shows, for embedding in the PDF; None otherwise."""
    try:
        from ..services.proofs import read_proof_bytes
    except ImportError:  # the proofs area is not there yet: the PDF goes without images
        return lambda proof_id: None
    shown = {proof["id"] for proof in view.get("proofs", ())}
    return lambda proof_id: (read_proof_bytes(portfolio, proof_id)
                             if str(proof_id) in shown else None)


def _render(head, audience, base, noindex):
    """The page, encoded once (each answer from the cache encoded it again: 20-25 µs for the
    benchmark's 30 KB page, with its typographic dashes and accents), and the style nonce it was
    rendered with (kept with it: see `_html`)."""
    html = rendering.render_portfolio_page(
        portfolio_view(page_cache.load_whole(head), audience), audience=audience,
        proof_url=_proof_url(base), page_url=publishing.absolute_url(base),
        pdf_url=f"{base}.pdf", noindex=noindex)
    return html.encode(), style_nonce()


def _html(head, audience, base, noindex, headers, link=None):
    """The page of `head` (a portfolio resolved with page_cache.HEAD_FIELDS), rendered once per
    version; a 304 when the browser holds it already.

    A cached page is served with the style nonce it was rendered with: its content is fixed for
    its key, so no later content can use the nonce, and a 304 keeps the browser's copy valid."""
    key = page_cache.cache_key("page", head, audience, publishing.absolute_url(base), noindex,
                               str(link.id) if link else None,
                               link.expires_at if link else None)
    page, nonce = page_cache.get_or_build(key, lambda: _render(head, audience, base, noindex))
    if nonce:
        g.style_nonce = nonce
    response = Response(page, mimetype="text/html", headers=headers)
    response.set_etag(page_cache.etag(key), weak=True)
    return response.make_conditional(request)


def _pdf_file_url(portfolio, audience, link):
    """Where the PDF links a proof document: the visitor's or the recruiter's file address
    (none for the owner's export: the owner's files need a sign-in)."""
    if audience == "public":
        return lambda proof_id: publishing.absolute_url(
            url_for("proof_files.public_proof", slug=portfolio.slug, proof_id=proof_id))
    if audience == "recruiter":
        return lambda proof_id: publishing.absolute_url(url_for(
            "proof_files.recruiter_pdf_file", key=publishing.recruiter_file_key(link, proof_id)))
    return None


def pdf_response(portfolio, audience, attachment=False, headers=None, link=None):
    """The portfolio as `audience` sees it, as a PDF (rendered once per version, then cached).

    A recruiter's PDF links its documents through that link, so it is cached per link."""
    view = portfolio_view(portfolio, audience)
    author = view.get("profile", {}).get("display_name") or portfolio.title
    file_url = _pdf_file_url(portfolio, audience, link)
    # Never the request's host: a client choosing Host headers must not fill the cache.
    variant = str(link.id) if link else ""
    data = pdf_cache.get_or_render(portfolio, audience, view, variant, lambda: (
        rendering.render_portfolio_pdf(view, audience=audience, author=author,
                                       title=rendering.document_title(author, portfolio.title),
                                       proof_image=_proof_image(portfolio, view),
                                       file_url=file_url)))
    response = Response(data, mimetype="application/pdf", headers=headers or {})
    response.headers.set("Content-Disposition", "attachment" if attachment else "inline",
                         filename=publishing.pdf_filename(portfolio))
    return response


def _password_form(portfolio):
    html = rendering.render_password_page(
        title=portfolio.title, slug=portfolio.slug,
        unlock_url=url_for(".unlock", slug=portfolio.slug),
        failed=request.args.get("unlock") == "failed", language=portfolio.language)
    return html, 401, publishing.PRIVATE_PAGE_HEADERS


def _protected_headers(portfolio):
    return publishing.PRIVATE_PAGE_HEADERS if portfolio.password_hash else {}


@bp.get("/p/<slug>")
@without_rate_limits
def public_page(slug):
    portfolio = publishing.resolve_public(slug, fields=page_cache.HEAD_FIELDS)
    if not publishing.is_unlocked(portfolio):
        return _password_form(portfolio)
    record_visit(portfolio, "page")
    return _html(portfolio, "public", f"/p/{portfolio.slug}",
                 noindex=bool(portfolio.password_hash), headers=page_cache.public_headers(portfolio))


@bp.get("/p/<slug>.pdf")
@without_mongo_deadline
def public_pdf(slug):
    portfolio = publishing.resolve_public(slug)
    if not publishing.is_unlocked(portfolio):
        return _password_form(portfolio)
    record_visit(portfolio, "pdf")
    return pdf_response(portfolio, "public", headers=_protected_headers(portfolio))


def _unlock_key():
    return f"unlock:{get_remote_address()}:{request.view_args.get('slug')}"


@bp.post("/p/<slug>/unlock")
@limiter.limit(lambda: current_app.config["RATELIMIT_UNLOCK"], key_func=_unlock_key)
def unlock(slug):
    portfolio = publishing.resolve_public(slug)
    page = url_for(".public_page", slug=portfolio.slug)
    if not publishing.unlock(portfolio, request.form.get("password", "")):
        return redirect(f"{page}?unlock=failed", 303)
    return publishing.set_unlock_cookie(redirect(page, 303), portfolio)


@bp.get("/r/<token>")
@without_rate_limits
def recruiter_page(token):
    portfolio, link = publishing.resolve_recruiter(token, fields=page_cache.HEAD_FIELDS)
    record_visit(portfolio, "page", link=link)
    return _html(portfolio, "recruiter", f"/r/{token}", noindex=True,
                 headers=publishing.PRIVATE_PAGE_HEADERS, link=link)


@bp.get("/r/<token>.pdf")
@without_mongo_deadline
def recruiter_pdf(token):
    portfolio, link = publishing.resolve_recruiter(token)
    record_visit(portfolio, "pdf", link=link)
    return pdf_response(portfolio, "recruiter", headers=publishing.PRIVATE_PAGE_HEADERS, link=link)


@bp.errorhandler(410)
def gone(exc):
    """An expired or revoked recruiter link: a friendly page, not indexed either, in the
    visitor's language (the portfolio is no longer shown through the link)."""
    language = app_language.browser_language(LANGUAGES)
    return rendering.render_gone_page(language=language), 410, publishing.PRIVATE_PAGE_HEADERS
