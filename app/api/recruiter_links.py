"""Recruiter links of a portfolio (owner only): /api/v1/portfolios/<id>/recruiter-links."""
from flask_jwt_extended import current_user

from ..schemas.common import PaginationQuerySchema, page_of
from ..schemas.publishing import (
    RecruiterLinkCreatedSchema, RecruiterLinkCreateSchema, RecruiterLinkSchema,
)
from ..services import accounts, portfolios, publishing, stats
from . import Blueprint, login_required, paginated

blp = Blueprint("recruiter_links", __name__,
                url_prefix="/api/v1/portfolios/<objectid:portfolio_id>/recruiter-links",
                description="Secret, expiring, revocable links for recruiters (owner only)")


@blp.route("/", methods=["POST"])
@login_required
@blp.arguments(RecruiterLinkCreateSchema)
@blp.response(201, RecruiterLinkCreatedSchema)
def create_link(data, portfolio_id):
    """Create a link; its token and URL are in this answer only (the server keeps a hash).
    403 until the owner's email address is verified."""
    portfolio = portfolios.get_owned(portfolio_id, current_user)
    accounts.require_verified_email(current_user)
    link, token = publishing.create_link(portfolio, **data)
    link.token = token
    link.url = publishing.recruiter_url(token)
    return link


@blp.route("/", methods=["GET"])
@login_required
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_of(RecruiterLinkSchema))
def list_links(page, portfolio_id):
    """The portfolio's links, newest first, with their use counters (never the tokens)."""
    portfolio = portfolios.get_owned(portfolio_id, current_user)
    links = paginated(publishing.list_links(portfolio), **page)
    stats.attach_link_views(links["data"])
    return links


@blp.route("/<objectid:link_id>", methods=["DELETE"])
@login_required
@blp.response(204)
def revoke_link(portfolio_id, link_id):
    """Revoke a link: from now on it answers 410 Gone."""
    publishing.revoke_link(portfolios.get_owned(portfolio_id, current_user), link_id)
