"""The AI assistant: a portfolio drafted from a few sentences, a draft applied, a text improved.

Every request to the provider counts against the user's daily quota (`quota.reserve_request`)
and adds the tokens it spent to the user's day; the prompts are never stored.

The request's MongoDB deadline (MONGODB_TIMEOUT_MS, extensions.init_mongo_deadline) covers
the sign-in and what is read before the provider is asked; it ends there, since a provider
may take longer than that (AI_TIMEOUT_SECONDS), and the queries after its answer get a deadline
of the same length of their own.
"""
import pymongo
from flask import current_app
from flask_smorest import abort

from ...extensions import end_mongo_deadline
from .. import accounts, portfolios
from . import drafts, prompts, provider, quota, suggestions


def is_configured():
    """Is a provider set up (AI_BASE_URL and AI_API_KEY)? The editor offers the assistant then."""
    return provider.is_configured(current_app.config)


def require_configured():
    if not is_configured():
        abort(503, message="The AI assistant is not configured on this server.")


def draft(user, prompt, language=None):
    """`{draft, warnings}`: portfolio content from the person's description; nothing is stored."""
    require_configured()
    answer = _ask(user, prompts.draft_system_prompt(language), {"description": prompt},
                  "portfolio_draft", prompts.DRAFT_ANSWER_SCHEMA)
    content, warnings = drafts.clean_draft(answer)
    return {"draft": content, "warnings": warnings}


def apply(portfolio_id, user, draft_content, mode, expected_version=None):
    """The portfolio with `draft_content` merged in or replacing its sections (drafts.apply_draft)."""
    require_configured()
    return drafts.apply_draft(portfolio_id, user, draft_content, mode, expected_version)


def suggest(portfolio_id, user, section, instruction, item_id=None, field=None,
            target_language=None):
    """`{suggestions}`: better versions of one text of the portfolio, nothing stored."""
    require_configured()
    portfolio = portfolios.get_owned(portfolio_id, user)
    target = suggestions.target_text(portfolio, section, item_id, field)
    answer = _ask(
        user,
        prompts.suggest_system_prompt(instruction, suggestions.max_length(target.field),
                                      portfolio.language, target_language),
        {"section": section, "field": target.name, "text": target.text,
         "context": target.context},
        "suggestions", prompts.SUGGESTIONS_ANSWER_SCHEMA)
    return {"suggestions": suggestions.clean_suggestions(answer, target.field)}


def _ask(user, system_prompt, data, answer_name, answer_schema):
    """The JSON the model answers, for `user`: 429 past the daily quota."""
    if not quota.reserve_request(user.id):
        limit = current_app.config["AI_DAILY_REQUESTS_PER_USER"]
        abort(429, message=f"You have used today's {limit} requests to the AI assistant; more "
                           "from midnight UTC.",
              headers={"Retry-After": str(quota.seconds_until_reset())})
    end_mongo_deadline()
    answer = provider.complete(system_prompt, prompts.user_message(data), answer_name,
                               answer_schema)
    with pymongo.timeout(current_app.config["MONGODB_TIMEOUT_MS"] / 1000):
        quota.record_tokens(user.id, answer.prompt_tokens, answer.completion_tokens)
    return provider.answer_json(answer)


accounts.ACCOUNT_CLEANUPS.append(quota.forget_usage)
accounts.ACCOUNT_EXPORTERS.append(quota.export_usage)
