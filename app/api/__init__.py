"""JSON API blueprints under /api/v1 (flask-smorest), one module per area."""
from flask_jwt_extended import jwt_required
from flask_smorest import Blueprint

BEARER_AUTH = [{"bearerAuth": []}]


def login_required(view=None, *, refresh=False):
    """`jwt_required` plus the OpenAPI security requirement it implies."""
    def decorator(func):
        return Blueprint.doc(security=BEARER_AUTH)(jwt_required(refresh=refresh)(func))
    return decorator(view) if view is not None else decorator
