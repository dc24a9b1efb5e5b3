"""JSON API blueprints under /api/v1 (flask-smorest), one module per area."""
from flask import request
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint, abort
from werkzeug.routing import BaseConverter

BEARER_AUTH = [{"bearerAuth": []}]


def login_required(view=None, *, refresh=False):
    """`jwt_required` plus the OpenAPI security requirement it implies."""
    def decorator(func):
        return Blueprint.doc(security=BEARER_AUTH)(jwt_required(refresh=refresh)(func))
    return decorator(view) if view is not None else decorator


class ObjectIdConverter(BaseConverter):
    """`<objectid:name>`: 24 hex characters, else the route does not match (404)."""
    regex = "[0-9a-f]{24}"


def objectid_param_schema(converter):
    return {"type": "string", "pattern": "^[0-9a-f]{24}$"}


def paginated(queryset, offset, limit):
    """The contract's list shape for a MongoEngine queryset."""
    return {"data": list(queryset.skip(offset).limit(limit)),
            "pagination": {"offset": offset, "limit": limit, "total": queryset.count()}}


def if_match_version():
    """The version an editor based its change on, from `If-Match: "7"` (None when absent)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    value = header.removeprefix("W/").strip('"')
    if not value.isdigit():
        abort(400, message='If-Match must be the ETag of a version, like "7".')
    return int(value)
