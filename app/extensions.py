"""Extension objects, created unbound and initialised by `create_app`."""
import logging
import sys

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
from limits.storage.mongodb import MongoDBStorageBase

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


def without_rate_limits(view):
    """Mark `view` as one that no rate limit applies to (reading a published portfolio): the
    limiter then skips its per-request work for it, resolving the endpoint's limits (40-70 µs,
    a twentieth of a published page). Goes under the route decorator; a test fails if a marked
    view gets a limit (tests/test_publishing.py)."""
    view.without_rate_limits = True
    return view


@limiter.request_filter
def _marked_without_rate_limits():
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "without_rate_limits", False)


def init_mongo(app):
    """Connect MongoEngine's default alias; pymongo reconnects by itself after an outage.

    On a replica set (Atlas), a write is acknowledged once a majority of members hold it, so it
    survives the loss of the primary, and a write cut off by an election is sent again once to
    the new primary (retryable writes). The request's deadline (`init_mongo_deadline`) bounds
    the wait for the majority and the election.

    The client connects at its first query, not now: a process that forks after loading the app
    hands its workers a client none of them has opened (see `create_app`).
    """
    mongoengine.disconnect()
    mongoengine.connect(
        host=app.config["MONGODB_URI"],
        tz_aware=False,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=app.config["MONGODB_TIMEOUT_MS"],
        connectTimeoutMS=app.config["MONGODB_TIMEOUT_MS"],
        w="majority",
        retryWrites=True,
        connect=False,
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
    """One Redis client per app, None when REDIS_URL is empty (a host without Redis);
    `redis_available` records whether it answered at start-up."""
    client, available = None, False
    if not app.config["REDIS_URL"]:
        log.info("No Redis (REDIS_URL is empty): Celery tasks run in the request and rate "
                 "limits are kept in MongoDB")
    else:
        client = redis.Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=2
        )
        try:
            client.ping()
            available = True
        except redis.RedisError:
            log.warning("Redis is not reachable at %s: Celery tasks run eagerly in-process and "
                        "rate limits are kept in process memory", app.config["REDIS_URL"])
    app.extensions["redis"] = client
    app.extensions["redis_available"] = available
    return available


def _close_if_connected(storage, is_finalizing=sys.is_finalizing):
    """`MongoDBStorageBase.__del__` of limits 5.8 reads `self.storage`, which CONNECTS a storage
    never used (and creates its indexes) as it is finalised: every app that never limited a
    request (a `flask` command, a replaced test app) then fails at interpreter exit with
    "sys.meta_path is None", or hangs there. At exit, closing is not needed and can hang too
    (a lock held by a monitor thread already gone): only a storage dropped earlier is closed.
    `is_finalizing` is bound here: at exit, module globals such as `sys` may be None already."""
    if storage._storage is not None and not is_finalizing():
        storage._storage.close()


MongoDBStorageBase.__del__ = _close_if_connected

# Without Redis, the rate-limit counters are documents of the app's own database.
RATE_LIMIT_COLLECTIONS = {"counter_collection_name": "rate_limit_counters",
                          "window_collection_name": "rate_limit_windows"}


def rate_limit_storage(app):
    """`(storage URI, options)` for the `limits` library: the configured Redis when it answered;
    per-process memory when it did not (degraded, like the rest of the app until a restart);
    MongoDB when there is no Redis at all, so that several processes and machines share the
    counters (the limits hold however many workers serve the app)."""
    if app.config["REDIS_URL"]:
        return (app.config["REDIS_URL"] if app.extensions["redis_available"] else "memory://"), {}
    timeout = app.config["MONGODB_TIMEOUT_MS"]
    return app.config["MONGODB_URI"], {
        "database_name": mongo_db().name, **RATE_LIMIT_COLLECTIONS,
        "serverSelectionTimeoutMS": timeout, "connectTimeoutMS": timeout}


def init_rate_limits(app):
    """Bind the limiter to this app, on `rate_limit_storage` unless RATELIMIT_STORAGE_URI is set."""
    if "RATELIMIT_STORAGE_URI" not in app.config:
        app.config["RATELIMIT_STORAGE_URI"], app.config["RATELIMIT_STORAGE_OPTIONS"] = \
            rate_limit_storage(app)
    # Flask-Limiter adds each init_app's RATELIMIT_STORAGE_OPTIONS to those it kept from the
    # apps initialised before in this process (tests build many): MongoDB's options would reach
    # a Redis storage. Each app starts from its own.
    limiter._storage_options = {}
    limiter.init_app(app)


def celery_init_app(app):
    """Flask's Celery pattern: tasks run inside the app context.

    Without Redis (REDIS_URL empty), or with one that did not answer at start-up (a bare
    `make run`), tasks run eagerly in-process.
    """
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    eager = not app.extensions["redis_available"] or app.config.get("CELERY_ALWAYS_EAGER", False)
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object({
        # Without Redis nothing is ever published; "memory://" keeps Celery off its AMQP default.
        "broker_url": app.config["REDIS_URL"] or "memory://",
        "task_ignore_result": True,
        "task_always_eager": eager,
        "task_eager_propagates": True,
        "broker_connection_retry_on_startup": True,
        **app.config.get("CELERY", {}),
    })
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
