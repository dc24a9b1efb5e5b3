"""The AI assistant (owner only): /api/v1/ai/draft, /api/v1/portfolios/<id>/ai/apply and
/api/v1/portfolios/<id>/ai/suggest."""
from flask_jwt_extended import current_user
from flask_smorest.error_handler import ErrorSchema

from ..schemas.ai import (
    AIApplyRequestSchema, AIDraftRequestSchema, AIDraftSchema, AISuggestionsSchema,
    AISuggestRequestSchema,
)
from ..schemas.portfolio import PortfolioSchema
from ..services import ai
from . import Blueprint, if_match_version, login_required, version_guarded
from .portfolios import ETAG_DOC

blp = Blueprint("ai", __name__, url_prefix="/api/v1",
                description="The AI assistant: drafts and suggestions (owner only)")


def _error(description):
    return {"description": description, "content": {"application/json": {"schema": ErrorSchema}}}


NOT_CONFIGURED = {"503": _error("No AI provider is configured on this server")}
PROVIDER_ERRORS = {
    **NOT_CONFIGURED,
    "429": _error("Past the daily quota of AI requests; `Retry-After` gives the seconds until "
                  "it starts again (midnight UTC)"),
    "502": _error("The provider failed: an HTTP error, or an answer that is not JSON or not "
                  "the expected shape; nothing was saved"),
    "504": _error("The provider did not answer within AI_TIMEOUT_SECONDS; nothing was saved"),
}


@blp.route("/ai/draft", methods=["POST"])
@login_required
@blp.arguments(AIDraftRequestSchema)
@blp.response(200, AIDraftSchema)
@blp.doc(responses=PROVIDER_ERRORS)
def draft_portfolio(data):
    """Portfolio content drafted from the person's description; nothing is stored.

    The model's answer is validated by the same schemas as the editor's input: what they refuse
    is left out and listed in `warnings`. Preview the draft, then apply it to a portfolio.
    """
    return ai.draft(current_user, data["prompt"], data.get("language"))


@blp.route("/portfolios/<objectid:portfolio_id>/ai/apply", methods=["POST"])
@login_required
@blp.arguments(AIApplyRequestSchema)
@blp.response(200, PortfolioSchema, headers=ETAG_DOC)
@blp.doc(responses=NOT_CONFIGURED)
@version_guarded
def apply_draft(data, portfolio_id):
    """Apply a draft: merge (append its items, fill empty profile fields) or replace (its
    sections replace the portfolio's; the version before is kept in the history).

    A new version, guarded by If-Match or `version`. The address, privacy, password, template
    and proofs never change.
    """
    saved = ai.apply(portfolio_id, current_user, data["draft"], data["mode"],
                     data.get("version") or if_match_version())
    return saved, 200, {"ETag": f'"{saved.version}"'}


@blp.route("/portfolios/<objectid:portfolio_id>/ai/suggest", methods=["POST"])
@login_required
@blp.arguments(AISuggestRequestSchema)
@blp.response(200, AISuggestionsSchema)
@blp.doc(responses=PROVIDER_ERRORS)
def suggest_text(data, portfolio_id):
    """Better versions of one text of the portfolio (nothing is saved): insert one with the
    usual PATCH. 404 for an unknown item, 422 for a field that is not free text or is empty."""
    return ai.suggest(portfolio_id, current_user, **data)
