"""What visitors and recruiters read as JSON (no login): /api/v1/public, /api/v1/recruiter.

The answer is `portfolio_view` as it is, the same view the HTML page and the PDF show.
"""
from flask import Response, current_app, request
from flask_smorest import abort

from ..extensions import without_rate_limits
from ..schemas.publishing import PortfolioViewSchema
from ..services import page_cache, publishing
from ..services.visibility import portfolio_view
from . import Blueprint

blp = Blueprint("public", __name__, url_prefix="/api/v1",
                description="Public and recruiter views of portfolios (no login)")


@blp.route("/public/<slug>", methods=["GET"])
@blp.response(200, PortfolioViewSchema)
@blp.alt_response(301, description="The slug changed: `Location` names the current one")
@blp.alt_response(401, description="Password-protected and not unlocked (the unlock cookie "
                                   "set by POST /p/<slug>/unlock is accepted)")
@blp.alt_response(404, description="Unknown or private portfolio")
@without_rate_limits
def public_view(slug):
    """The public view of a portfolio."""
    portfolio = publishing.resolve_public(slug, fields=page_cache.HEAD_FIELDS)
    if not publishing.is_unlocked(portfolio):
        abort(401, message="This portfolio is password-protected; unlock it at "
                           f"/p/{portfolio.slug} first.")
    return _view_response(portfolio, "public", page_cache.public_headers(portfolio))


@blp.route("/recruiter/<token>", methods=["GET"])
@blp.response(200, PortfolioViewSchema)
@blp.alt_response(404, description="Unknown link")
@blp.alt_response(410, description="Expired or revoked link")
@without_rate_limits
def recruiter_view(token):
    """The recruiter view (public and recruiter items) behind a recruiter link."""
    portfolio, _ = publishing.resolve_recruiter(token, fields=page_cache.HEAD_FIELDS)
    return _view_response(portfolio, "recruiter", publishing.PRIVATE_PAGE_HEADERS)


def _view_response(head, audience, headers):
    """`portfolio_view` as JSON, built once per version; a 304 when the client holds it."""
    key = page_cache.cache_key("json", head, audience)
    body = page_cache.get_or_build(key, lambda: current_app.json.response(
        portfolio_view(page_cache.load_whole(head), audience)).get_data())
    response = Response(body, mimetype="application/json", headers=headers)
    response.set_etag(page_cache.etag(key))
    return response.make_conditional(request)
