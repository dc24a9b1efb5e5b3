"""A portfolio's audience statistics (owner only): /api/v1/portfolios/<id>/stats."""
from flask_jwt_extended import current_user

from ..schemas.audience import StatsQuerySchema, StatsSchema
from ..services import portfolios, stats
from . import Blueprint, login_required

blp = Blueprint("stats", __name__, url_prefix="/api/v1/portfolios",
                description="Audience statistics of a portfolio (owner only)")


@blp.route("/<objectid:portfolio_id>/stats", methods=["GET"])
@login_required
@blp.arguments(StatsQuerySchema, location="query")
@blp.response(200, StatsSchema)
def portfolio_stats(query, portfolio_id):
    """Views of the last `days` days (UTC, today included), every day present, and the trend
    against the `days` before."""
    return stats.portfolio_stats(portfolios.get_owned(portfolio_id, current_user), query["days"])
