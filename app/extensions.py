"""Extension objects, created unbound and initialised by `create_app`."""
import logging

import mongoengine
import pymongo
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
import redis
from authlib.integrations.flask_client import OAuth
from celery import Celery, Task
from flask import current_app, g, request
from flask_cors import CORS
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api

log = logging.getLogger(__name__)

def _schema_name(schema):
    """OpenAPI component names: `Diploma`, and `DiplomaPatch` for its partial (PATCH) form."""
    schema_class = resolve_schema_cls(schema)
    name = schema_class.__name__.removesuffix("Schema")
    return f"{name}Patch" if getattr(schema, "partial", False) else name


api = Api(spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=_schema_name)})
jwt = JWTManager()
cors = CORS()
limiter = Limiter(key_func=get_remote_address)


def init_mongo(app):
    """Connect MongoEngine's default alias; pymongo reconnects by itself after an outage."""
    mongoengine.disconnect()
    mongoengine.connect(
        host=app.config["MONGODB_URI"],
        tz_aware=False,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=app.config["MONGODB_TIMEOUT_MS"],
        connectTimeoutMS=app.config["MONGODB_TIMEOUT_MS"],
    )


def init_mongo_deadline(app):
    """A request's whole MongoDB work shares ONE deadline of MONGODB_TIMEOUT_MS (pymongo's
    client-side operation timeout), so a frozen or unreachable server answers 503 in about that
    long, however many queries the request makes, and no in-flight request hangs with it.
    Views that move files or render documents opt out (`without_mongo_deadline`)."""
    seconds = app.config["MONGODB_TIMEOUT_MS"] / 1000

    @app.before_request
    def start_mongo_deadline():
        view = app.view_functions.get(request.endpoint)
        if not getattr(view, "without_mongo_deadline", False):
            g.mongo_deadline = pymongo.timeout(seconds)
            g.mongo_deadline.__enter__()

    @app.teardown_request
    def end_mongo_deadline_at_teardown(_exc):
        end_mongo_deadline()


def end_mongo_deadline():
    """End the request's MongoDB deadline early, for a view that then waits on something else
    (an AI provider) and gives the queries after it a deadline of their own."""
    deadline = g.pop("mongo_deadline", None)
    if deadline is not None:
        deadline.__exit__(None, None, None)


def without_mongo_deadline(view):
    """For views whose MongoDB work legitimately lasts (uploads, exports, PDF rendering): no
    request-wide deadline; each operation keeps the client's own timeouts."""
    view.without_mongo_deadline = True
    return view


def mongo_db():
    """The pymongo Database behind MongoEngine, for GridFS, capped collections and raw queries."""
    return mongoengine.get_db()


def init_oauth(app, clients):
    """Register the sign-in providers (`{name: authlib client arguments}`) on a registry of the app.

    One registry per app rather than a module-level `OAuth()`: authlib caches each client, with
    its settings and the provider's metadata, for the life of the registry, and the tests build
    many apps pointed at different providers.
    """
    registry = OAuth(app)
    for name, arguments in clients.items():
        registry.register(name, **arguments)


def oauth_registry():
    """The current app's authlib registry (see `init_oauth`)."""
    return current_app.extensions["authlib.integrations.flask_client"]


def init_redis(app):
    """One Redis client per app; `redis_available` records whether it answered at start-up."""
    client = redis.Redis.from_url(
        app.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=2
    )
    try:
        client.ping()
        available = True
    except redis.RedisError:
        available = False
    app.extensions["redis"] = client
    app.extensions["redis_available"] = available
    return available


def celery_init_app(app):
    """Flask's Celery pattern: tasks run inside the app context.

    Without a reachable Redis (a bare `make run`), tasks run eagerly in-process.
    """
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    eager = not app.extensions["redis_available"] or app.config.get("CELERY_ALWAYS_EAGER", False)
    if eager and not app.testing:
        log.warning("Redis is not reachable at %s: Celery tasks run eagerly in-process",
                    app.config["REDIS_URL"])
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object({
        "broker_url": app.config["REDIS_URL"],
        "task_ignore_result": True,
        "task_always_eager": eager,
        "task_eager_propagates": True,
        "broker_connection_retry_on_startup": True,
        **app.config.get("CELERY", {}),
    })
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
