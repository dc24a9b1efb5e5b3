"""What visitors and recruiters read as JSON (no login): /api/v1/public, /api/v1/recruiter.

The answer is `portfolio_view` as it is, the same view the HTML page and the PDF show.
"""
from flask import jsonify
from flask_smorest import abort

from ..schemas.publishing import PortfolioViewSchema
from ..services import publishing
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
def public_view(slug):
    """The public view of a portfolio."""
    portfolio = publishing.resolve_public(slug)
    if not publishing.is_unlocked(portfolio):
        abort(401, message="This portfolio is password-protected; unlock it at "
                           f"/p/{portfolio.slug} first.")
    return jsonify(portfolio_view(portfolio, "public"))


@blp.route("/recruiter/<token>", methods=["GET"])
@blp.response(200, PortfolioViewSchema)
@blp.alt_response(404, description="Unknown link")
@blp.alt_response(410, description="Expired or revoked link")
def recruiter_view(token):
    """The recruiter view (public and recruiter items) behind a recruiter link."""
    portfolio, _ = publishing.resolve_recruiter(token)
    response = jsonify(portfolio_view(portfolio, "recruiter"))
    response.headers.update(publishing.PRIVATE_PAGE_HEADERS)
    return response
