"""JSON API blueprints under /api/v1 (flask-smorest), one module per area."""
import json
import re
from functools import wraps

import flask_smorest
from flask import request
from flask_jwt_extended import jwt_required
from flask_smorest import abort
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.routing import BaseConverter, IntegerConverter

from ..schemas.common import MAX_INT64, VersionConflictSchema

# Either way of holding a session: the Bearer header, or the web app's cookie (with CSRF).
SIGNED_IN = [{"bearerAuth": []}, {"cookieAuth": []}]
_SURROGATE = re.compile("[\ud800-\udfff]")
_VERSION_ETAG = re.compile("[0-9]{1,18}")


def load_json(data):
    """`json.loads` for request bodies. What the standard library lets through or crashes on
    is a ValueError like any invalid JSON: nesting deeper than the stack (RecursionError), an
    integer of thousands of digits, and a lone surrogate escape (`"\\ud800"`), a string no
    UTF-8 store (MongoDB, the pages) can hold."""
    try:
        value = core.parse_json(data)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except ValueError:
        raise ValueError("a number has too many digits") from None
    # Iterative: the value may be nested almost as deep as the stack allows.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise ValueError("a \\u escape is a lone surrogate, not a character")
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return value


class JsonBodyParser(FlaskParser):
    """Request bodies are JSON: any other body, or JSON `load_json` refuses, is a 400
    (malformed body), never a 500 nor a body silently ignored."""

    def _raw_load_json(self, req):
        data = req.get_data(cache=True)
        if not is_json_request(req):
            if data:
                abort(400, message="Send the body as JSON (Content-Type: application/json).")
            return core.missing
        try:
            return load_json(data)
        except json.JSONDecodeError:
            raise  # webargs: an empty body is no body, anything else "Invalid JSON body."
        except ValueError as exc:
            abort(400, message=f"Invalid JSON body: {exc}.")


class Blueprint(flask_smorest.Blueprint):
    """Every /api/v1 blueprint: its arguments are parsed by `JsonBodyParser`, and a JSON body
    documented as required (flask-smorest's default) is required: 400 without one."""
    ARGUMENTS_PARSER = JsonBodyParser()

    def arguments(self, schema, *, location="json", required=True, **kwargs):
        # One instance parses every request: given the class, webargs builds one per request
        # (its fields copied, its nested schemas built), a twentieth of an autosave (cProfile,
        # issue 16). Loading keeps no state on the schema, as dumping with one does.
        schema = schema() if isinstance(schema, type) else schema
        parse = super().arguments(schema, location=location, required=required, **kwargs)
        if location != "json" or not required:
            return parse

        def decorator(func):
            parsing_view = parse(func)

            @wraps(parsing_view)
            def view(*args, **view_kwargs):
                if not request.get_data(cache=True):
                    abort(400, message="This operation needs a JSON body.")
                return parsing_view(*args, **view_kwargs)
            return view
        return decorator


def login_required(view=None, *, refresh=False):
    """`jwt_required` plus the OpenAPI security requirement it implies."""
    def decorator(func):
        return Blueprint.doc(security=SIGNED_IN)(jwt_required(refresh=refresh)(func))
    return decorator(view) if view is not None else decorator


class ObjectIdConverter(BaseConverter):
    """`<objectid:name>`: 24 hex characters, else the route does not match (404)."""
    regex = "[0-9a-f]{24}"


class Int64Converter(IntegerConverter):
    """`<int:name>`, bounded by what MongoDB can store: a bigger number does not match (404)."""

    def __init__(self, url_map, *args, max=MAX_INT64, **kwargs):
        super().__init__(url_map, *args, max=max, **kwargs)


def objectid_param_schema(converter):
    return {"type": "string", "pattern": "^[0-9a-f]{24}$"}


def paginated(queryset, offset, limit):
    """The contract's list shape for a MongoEngine queryset."""
    return {"data": list(queryset.skip(offset).limit(limit)),
            "pagination": {"offset": offset, "limit": limit, "total": queryset.count()}}


IF_MATCH_PARAMETER = {
    "in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
    "description": 'The ETag of the version the change is based on, like "7" (400 if not one).',
}


def version_guarded(view):
    """Documents a write that `if_match_version()` guards: the If-Match header and its 409."""
    return Blueprint.doc(parameters=[IF_MATCH_PARAMETER], responses={"409": {
        "description": "Stale version: nothing was written; the body carries `current_version`",
        "content": {"application/json": {"schema": VersionConflictSchema}},
    }})(view)


def if_match_version():
    """The version an editor based its change on, from `If-Match: "7"` (None when absent)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    value = header.removeprefix("W/").strip('"')
    # ASCII digits only ("²".isdigit() is true), and few enough for MongoDB's 64-bit integers.
    if not _VERSION_ETAG.fullmatch(value):
        abort(400, message='If-Match must be the ETag of a version, like "7".')
    return int(value)
