"""The one error handler: every 4xx/5xx under /api is the contract's JSON error shape.

`{"code": 422, "status": "Unprocessable Entity", "message": "...", "errors": {"field": [...]}}`

Views call `abort(code, message=..., errors=...)` (flask-smorest's abort) and never catch
exceptions themselves. HTML routes get a small HTML page with the same status instead.
"""
import logging

import redis
from flask import request
from flask_jwt_extended.exceptions import CSRFError
from mongoengine.errors import OperationError as MongoOperationError
from mongoengine.errors import ValidationError as MongoValidationError
from pymongo.errors import ConnectionFailure, PyMongoError
from werkzeug.exceptions import (
    HTTPException, InternalServerError, ServiceUnavailable, UnprocessableEntity,
)
from werkzeug.http import HTTP_STATUS_CODES

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
        html = render_error_page(code=exc.code, status=HTTP_STATUS_CODES.get(exc.code, "Error"),
                                 message=message or exc.description)
        return html, exc.code, headers
    # `abort(..., extra={...})` adds fields beside the standard ones (e.g. a 409's current version).
    payload = {**(data.get("extra") or {}),
               **error_payload(exc.code, message, errors, fallback=exc.description)}
    return payload, exc.code, headers


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
