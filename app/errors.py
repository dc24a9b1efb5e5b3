"""The one error handler: every 4xx/5xx under /api is the contract's JSON error shape.

`{"code": 422, "status": "Unprocessable Entity", "message": "...", "errors": {"field": [...]}}`

Views call `abort(code, message=..., errors=...)` (flask-smorest's abort) and never catch
exceptions themselves. HTML routes get a small HTML page with the same status instead, in the
visitor's language: the app's choice on its pages, the browser's Accept-Language on the
published ones (/p, /r). API errors stay English (they are for developers).
"""
import logging

import redis
from flask import g, request
from flask_jwt_extended.exceptions import CSRFError
from mongoengine.errors import OperationError as MongoOperationError
from mongoengine.errors import ValidationError as MongoValidationError
from pymongo.errors import ConnectionFailure, PyMongoError
from werkzeug.exceptions import (
    HTTPException, InternalServerError, ServiceUnavailable, UnprocessableEntity,
)
from werkzeug.http import HTTP_STATUS_CODES

from .catalogues import N_, translations
from .models.languages import DEFAULT_LANGUAGE, LANGUAGES
from . import app_language
from .web.rendering import render_error_page

log = logging.getLogger(__name__)

# webargs nests field errors under the request location; the contract wants the fields directly.
_LOCATIONS = ("json", "query", "form", "files", "headers", "cookies", "path", "view_args")


def _flatten(errors):
    if not isinstance(errors, dict):
        return {"_schema": errors if isinstance(errors, list) else [str(errors)]}
    if set(errors) <= set(_LOCATIONS):
        flat = {}
        for value in errors.values():
            flat.update(_flatten(value))
        return flat
    return errors


def _default_message(errors):
    """A readable summary of the first field error."""
    if not errors:
        return None
    first_field, first_messages = next(iter(errors.items()))
    detail = first_messages[0] if isinstance(first_messages, list) and first_messages else ""
    if not isinstance(detail, str) or not detail:
        return "Invalid input."
    return detail if first_field == "_schema" else f"Invalid input: {first_field}: {detail}"


def error_payload(code, message=None, errors=None, fallback=None):
    payload = {"code": code, "status": HTTP_STATUS_CODES.get(code, "Error")}
    if errors:
        payload["errors"] = _flatten(errors)
    payload["message"] = (message or _default_message(payload.get("errors"))
                          or fallback or payload["status"])
    return payload


def wants_json():
    return request.path.startswith("/api/") or request.path == "/healthz"


def _respond(exc):
    data = getattr(exc, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    message = data.get("message")
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    if not wants_json():
        # A description a view gave (abort(400, description=...)), not werkzeug's default one.
        given = message or (exc.description if exc.description != type(exc).description else None)
        return error_page(exc.code, given), exc.code, headers
    # `abort(..., extra={...})` adds fields beside the standard ones (e.g. a 409's current version).
    payload = {**(data.get("extra") or {}),
               **error_payload(exc.code, message, errors, fallback=exc.description)}
    return payload, exc.code, headers


# What an HTML error page says: the status, and a sentence for when the view gave none (or gave
# one in English only: views write their messages for the API's developers).
PAGE_WORDS = {
    400: (N_("Bad Request"), N_("This address or what was sent with it is not valid.")),
    401: (N_("Unauthorized"), N_("Sign in to see this page.")),
    403: (N_("Forbidden"), N_("You may not see this page.")),
    404: (N_("Not Found"), N_("There is nothing at this address: check it, or the link that "
                              "brought you here.")),
    405: (N_("Method Not Allowed"), N_("This address does not take this kind of request.")),
    410: (N_("Gone"), N_("What was at this address is no longer there.")),
    413: (N_("Request Entity Too Large"), N_("What was sent is too large.")),
    429: (N_("Too Many Requests"), N_("Too many tries in a short time: wait a moment, then "
                                      "try again.")),
    500: (N_("Internal Server Error"), N_("Something went wrong on our side. Try again in a "
                                          "moment.")),
    503: (N_("Service Unavailable"), N_("The site is temporarily unavailable; try again "
                                        "shortly.")),
}


def error_page(code, message=None):
    """The HTML error page of `code` in the visitor's language; `message` (English, from the
    view) when that language's catalogue has it, else the status's own sentence."""
    language = error_page_language()
    words = translations(language)
    status, sentence = PAGE_WORDS.get(code, (HTTP_STATUS_CODES.get(code, "Error"), None))
    if message and (language == DEFAULT_LANGUAGE or words.gettext(message) != message):
        sentence = message
    return render_error_page(code=code, status=words.gettext(status),
                             message=sentence and words.gettext(sentence), language=language)


def error_page_language():
    """The published pages' (/p, /r): the portfolio's language when the view knew the portfolio
    (`g.portfolio_language`: a proof file it does not show), else the visitor's
    Accept-Language. The app's: its choice (the account's setting, the switch's cookie,
    Accept-Language), without the account when the database or Redis is what failed."""
    if request.path.startswith(("/p/", "/r/")):
        return g.get("portfolio_language") or app_language.browser_language(LANGUAGES)
    try:
        return app_language.request_language()
    except (PyMongoError, MongoOperationError, redis.RedisError):
        return app_language.browser_language()


def handle_http_exception(exc):
    return _respond(exc)


def handle_csrf_refused(exc):
    # A token from a cookie, on an unsafe method, without the matching X-CSRF-TOKEN header: the
    # request may come from another site riding on the browser's cookies (app/session_cookies.py).
    return error_payload(403, "Missing or wrong CSRF token: send the X-CSRF-TOKEN header with the "
                              "value of the csrf_access_token cookie (csrf_refresh_token to "
                              "refresh)."), 403


def handle_database_down(exc):
    log.error("dependency unavailable: %s", exc)
    return _respond(ServiceUnavailable("The database is temporarily unavailable; try again shortly."))


def handle_database_error(exc):
    # A timeout (the request's deadline passed, a server frozen or unreachable) or a lost
    # connection is the database being down: 503. Anything else is a bug: 500.
    if exc.timeout or isinstance(exc, ConnectionFailure):
        return handle_database_down(exc)
    return handle_unexpected(exc)


def handle_wrapped_database_error(exc):
    # MongoEngine re-raises some pymongo errors (a write timing out) as its own OperationError.
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, PyMongoError):
        return handle_database_error(cause)
    return handle_unexpected(exc)


def handle_redis_down(exc):
    log.error("redis unavailable: %s", exc)
    return _respond(ServiceUnavailable("A backing service is temporarily unavailable; try again shortly."))


def handle_unexpected(exc):
    # Logged with its traceback for operators; the client only ever sees the JSON shape.
    if isinstance(exc, HTTPException):
        return _respond(exc)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _respond(InternalServerError("An unexpected error occurred."))


def handle_document_validation(exc):
    # MongoEngine validation is a second line behind the marshmallow schemas: still a 422.
    http_exc = UnprocessableEntity()
    http_exc.data = {"errors": exc.to_dict() or {"_schema": [str(exc)]}}
    return _respond(http_exc)


def register_error_handlers(app):
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(CSRFError, handle_csrf_refused)
    app.register_error_handler(PyMongoError, handle_database_error)
    app.register_error_handler(MongoOperationError, handle_wrapped_database_error)
    app.register_error_handler(redis.ConnectionError, handle_redis_down)
    app.register_error_handler(MongoValidationError, handle_document_validation)
    app.register_error_handler(Exception, handle_unexpected)
