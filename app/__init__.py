"""Vitrine: the application factory."""
import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config

# `api` is also the name of the app.api package, hence the alias.
from .extensions import api as rest_api
from .extensions import (
    celery_init_app, cors, init_mongo, init_mongo_deadline, init_oauth, init_rate_limits,
    init_redis, jwt,
)


def create_app(config_class=Config):
    config_class.validate()
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_class)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    register_proxy_fix(app)
    register_extensions(app)
    register_blueprints(app)
    register_security_headers(app)
    register_audience(app)
    register_error_handlers(app)
    register_cli(app)
    # Servers may fork their workers after loading the app (uWSGI without lazy-apps, the way
    # PythonAnywhere runs it), and pymongo is not fork-safe: workers sharing the client the
    # start-up work above opened share its sessions and sockets (concurrent writes then fail
    # with "TransactionTooOld"). They get a client that connects at its first query instead.
    init_mongo(app)
    return app


def register_proxy_fix(app):
    # Only X-Forwarded-For set by our own proxies is believed; a client-forged one is ignored.
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app):
    init_mongo(app)
    init_mongo_deadline(app)
    init_redis(app)
    rest_api.init_app(app)
    jwt.init_app(app)
    init_rate_limits(app)
    cors.init_app(app, resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}})
    celery_init_app(app)
    from .services.oauth import client_settings
    init_oauth(app, client_settings(app.config))


def register_blueprints(app):
    from . import jwt_callbacks  # noqa: F401  (registers the JWT loaders)
    from .api import Int64Converter, ObjectIdConverter, objectid_param_schema
    from .api.ai import blp as ai_blp
    from .api.auth import blp as auth_blp
    from .api.notifications import blp as notifications_blp
    from .api.oauth import blp as oauth_blp
    from .api.portfolios import blp as portfolios_blp
    from .api.proofs import blp as proofs_blp
    from .api.public import blp as public_blp
    from .api.recruiter_links import blp as recruiter_links_blp
    from .api.stats import blp as stats_blp
    from .health import bp as health_bp
    from .web.app_pages import bp as app_pages_bp
    from .web.proof_files import bp as proof_files_bp
    from .web.public import bp as public_pages_bp

    # /api/v1/portfolios and /api/v1/portfolios/ are the same collection: no 308 detour.
    app.url_map.strict_slashes = False
    app.url_map.converters["objectid"] = ObjectIdConverter
    app.url_map.converters["int"] = Int64Converter
    rest_api.register_converter(ObjectIdConverter, objectid_param_schema)
    rest_api.register_blueprint(auth_blp)
    rest_api.register_blueprint(oauth_blp)
    rest_api.register_blueprint(portfolios_blp)
    rest_api.register_blueprint(proofs_blp)
    rest_api.register_blueprint(recruiter_links_blp)
    rest_api.register_blueprint(public_blp)
    rest_api.register_blueprint(stats_blp)
    rest_api.register_blueprint(notifications_blp)
    rest_api.register_blueprint(ai_blp)
    app.register_blueprint(health_bp)
    app.register_blueprint(public_pages_bp)
    app.register_blueprint(proof_files_bp)
    app.register_blueprint(app_pages_bp)


def register_security_headers(app):
    from .web.security_headers import register_security_headers as register
    register(app)


def register_audience(app):
    from . import tasks  # noqa: F401  (registers the Celery tasks with this app's Celery)
    from .models.audience import ensure_audience_collections_once
    ensure_audience_collections_once(app)


def register_error_handlers(app):
    from .errors import register_error_handlers as register
    register(app)


def register_cli(app):
    from .cli import register_commands
    register_commands(app)
