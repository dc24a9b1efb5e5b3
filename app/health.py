"""GET /healthz: is the service and what it depends on up?"""
from flask import Blueprint, current_app

from .errors import error_payload
from .extensions import mongo_db

bp = Blueprint("health", __name__)

# Redis is optional (REDIS_URL empty): its absence is a configuration, not an outage.
NOT_CONFIGURED = "not configured"


def dependency_status():
    status = {}
    try:
        mongo_db().command("ping")
        status["mongo"] = "ok"
    except Exception as exc:  # any failure means "down" for a health check
        status["mongo"] = f"down: {type(exc).__name__}"
    redis_client = current_app.extensions["redis"]
    if redis_client is None:
        status["redis"] = NOT_CONFIGURED
        return status
    try:
        redis_client.ping()
        status["redis"] = "ok"
    except Exception as exc:
        status["redis"] = f"down: {type(exc).__name__}"
    return status


@bp.get("/healthz")
def healthz():
    status = dependency_status()
    down = [name for name, value in status.items() if value not in ("ok", NOT_CONFIGURED)]
    if not down:
        return {"status": "ok", **status}
    # Still the error shape, with each dependency's state beside it.
    return {**error_payload(503, f"Unavailable: {', '.join(down)}."), **status}, 503
