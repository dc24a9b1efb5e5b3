"""Settings, read once from the environment.

`Config` is what development and production use; `TestConfig` is what the test suite uses.
Production refuses to start with a default or short secret (see `Config.validate`).
"""
import os
from datetime import timedelta
from urllib.parse import urlsplit

from celery.schedules import crontab

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
DEFAULT_SECRET = "dev-only-insecure-secret-change-me-before-production"
MIN_SECRET_LENGTH = 32
# The settings that turn on a feature sending mail (see Config.validate).
MAIL_FEATURES = ("EMAIL_VERIFICATION_ENABLED", "PASSWORD_RESET_ENABLED",
                 "MAIL_NOTIFICATIONS_ENABLED")


def _env_int(name, default):
    return int(os.environ.get(name, default))


def _env_float(name, default):
    return float(os.environ.get(name, default))


def _env_bool(name, default):
    return os.environ.get(name, str(default)).strip().lower() in ("1", "true", "yes", "on")


def _env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


class Config:
    APP_ENV = os.environ.get("APP_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET)
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY", DEFAULT_SECRET)

    MONGODB_URI = os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27117/vitrine")
    # A short server-selection timeout turns "MongoDB is down" into a quick 503, not a hung request.
    MONGODB_TIMEOUT_MS = _env_int("MONGODB_TIMEOUT_MS", 3000)
    # Empty means "no Redis" (a host such as PythonAnywhere): Celery runs tasks in the request
    # and rate limits are kept in MongoDB. Unset, production has none; development has the local
    # one `make run` expects.
    REDIS_URL = os.environ.get(
        "REDIS_URL", "" if APP_ENV == "production" else "redis://127.0.0.1:6379/0").strip()

    CORS_ORIGINS = _env_list("CORS_ORIGINS")
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # The host names the app answers to; any other Host header is a 400 (Flask), so no link,
    # canonical URL or cache entry is ever built on a host a client chose. Defaults to the host
    # of PUBLIC_BASE_URL (which production requires); unset in development: any host.
    TRUSTED_HOSTS = _env_list("TRUSTED_HOSTS") or (
        [urlsplit(PUBLIC_BASE_URL).hostname] if PUBLIC_BASE_URL else None)

    # JSON bodies are small; file uploads raise this per request (proofs).
    MAX_CONTENT_LENGTH = _env_int("MAX_JSON_BYTES", 2 * 1024 * 1024)

    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=_env_int("JWT_ACCESS_MINUTES", 15))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=_env_int("JWT_REFRESH_DAYS", 30))
    JWT_ERROR_MESSAGE_KEY = "message"
    # API clients send `Authorization: Bearer`; the web app's browsers hold the tokens in HttpOnly
    # cookies no script can read (app/session_cookies.py), so unsafe methods then need the CSRF
    # double-submit header: X-CSRF-TOKEN = the csrf_access_token (or csrf_refresh_token) cookie.
    JWT_TOKEN_LOCATION = ["headers", "cookies"]
    JWT_COOKIE_SECURE = APP_ENV == "production"
    JWT_COOKIE_SAMESITE = "Lax"
    JWT_COOKIE_CSRF_PROTECT = True
    JWT_CSRF_CHECK_FORM = False
    JWT_ACCESS_COOKIE_PATH = "/"
    # The refresh token goes to the one endpoint that spends it; logout revokes its session
    # through the access token, which names the same session.
    JWT_REFRESH_COOKIE_PATH = "/api/v1/auth/refresh"

    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "vitrine"
    # The counters live in Redis, or in MongoDB without Redis, so that every process and machine
    # shares them (app/extensions.py `rate_limit_storage`).
    # A storage outage must not lock everyone out: limits fall back to per-process memory.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_LOGIN_PER_IP = os.environ.get("RATELIMIT_LOGIN_PER_IP", "20/minute;200/hour")
    RATELIMIT_LOGIN_PER_ACCOUNT = os.environ.get("RATELIMIT_LOGIN_PER_ACCOUNT", "5/minute;50/hour")
    RATELIMIT_REGISTER_PER_IP = os.environ.get("RATELIMIT_REGISTER_PER_IP", "10/hour")
    # Password attempts on one protected portfolio from one client address.
    RATELIMIT_UNLOCK = os.environ.get("RATELIMIT_UNLOCK", "10/minute")
    # How long a visitor who typed a portfolio's password keeps it unlocked.
    PORTFOLIO_UNLOCK_HOURS = _env_int("PORTFOLIO_UNLOCK_HOURS", 12)
    # Rendered PDFs kept in GridFS (bucket pdf_cache), oldest evicted beyond this many.
    PDF_CACHE_MAX_ENTRIES = _env_int("PDF_CACHE_MAX_ENTRIES", 500)

    # Sign in with Google / LinkedIn (OpenID Connect). A provider without an id and a secret is
    # off (503). The discovery document names every endpoint (authorize, token, userinfo, JWKS).
    GOOGLE_CLIENT_ID = os.environ.get("GOOGLE_CLIENT_ID", "")
    GOOGLE_CLIENT_SECRET = os.environ.get("GOOGLE_CLIENT_SECRET", "")
    GOOGLE_SERVER_METADATA_URL = os.environ.get(
        "GOOGLE_SERVER_METADATA_URL",
        "https://accounts.google.com/.well-known/openid-configuration")
    LINKEDIN_CLIENT_ID = os.environ.get("LINKEDIN_CLIENT_ID", "")
    LINKEDIN_CLIENT_SECRET = os.environ.get("LINKEDIN_CLIENT_SECRET", "")
    LINKEDIN_SERVER_METADATA_URL = os.environ.get(
        "LINKEDIN_SERVER_METADATA_URL",
        "https://www.linkedin.com/oauth/.well-known/openid-configuration")
    # Public base URL of this API for the callback URL registered at the providers; without it,
    # the callback URL is built from the request (behind proxies, see TRUSTED_PROXIES).
    OAUTH_REDIRECT_BASE = os.environ.get("OAUTH_REDIRECT_BASE", "")
    # The frontend page where a provider sign-in ends, given `#access_token=...` or `#error=...`.
    FRONTEND_URL = os.environ.get("FRONTEND_URL", "")
    # The session cookie carries the OAuth state: Lax so that the provider's redirect back brings
    # it, HTTPS-only in production.
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = APP_ENV == "production"

    # Outgoing mail (app/services/mail.py), over SMTP: the account links (verify an address,
    # confirm a new one, reset the password) and the opt-in notification mails, sent by a
    # Celery task. Without MAIL_SERVER each mail is written to the log and, as an .eml file, to
    # MAIL_OUTBOX_DIR (empty: the log only) instead of being sent.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)  # TLS from the first byte (port 465)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)  # STARTTLS after connecting (port 587)
    MAIL_PORT = _env_int("MAIL_PORT", 465 if MAIL_USE_SSL else 587 if MAIL_USE_TLS else 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER",
        f"Vitrine <no-reply@{urlsplit(PUBLIC_BASE_URL).hostname or 'localhost'}>")
    MAIL_TIMEOUT_SECONDS = _env_int("MAIL_TIMEOUT_SECONDS", 10)
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", os.path.join(BASE_DIR, "instance", "mail"))
    # The features that send mail. Off, their routes answer 404 (and an unverified address
    # limits nothing); production refuses to start without MAIL_SERVER while one is on.
    EMAIL_VERIFICATION_ENABLED = _env_bool("EMAIL_VERIFICATION_ENABLED", True)
    PASSWORD_RESET_ENABLED = _env_bool("PASSWORD_RESET_ENABLED", True)
    MAIL_NOTIFICATIONS_ENABLED = _env_bool("MAIL_NOTIFICATIONS_ENABLED", True)
    # Requests that send a mail to an account's address (a reset link, a new verification
    # link, a new address to confirm), per address, and password resets asked per client.
    RATELIMIT_MAIL_PER_ACCOUNT = os.environ.get("RATELIMIT_MAIL_PER_ACCOUNT", "3/hour;10/day")
    RATELIMIT_MAIL_PER_IP = os.environ.get("RATELIMIT_MAIL_PER_IP", "10/hour")
    # Two-factor codes tried per account (sign-in with a code, turning two-factor on or off).
    RATELIMIT_OTP_PER_ACCOUNT = os.environ.get("RATELIMIT_OTP_PER_ACCOUNT", "5/minute;20/hour")

    MAX_PORTFOLIOS_PER_USER = _env_int("MAX_PORTFOLIOS_PER_USER", 20)
    # Far below MongoDB's 16 MB document limit, and plenty for a real portfolio's text.
    MAX_PORTFOLIO_BYTES = _env_int("MAX_PORTFOLIO_BYTES", 1024 * 1024)
    VERSION_SNAPSHOT_INTERVAL_SECONDS = _env_int("VERSION_SNAPSHOT_INTERVAL_SECONDS", 300)
    # At least 2: the snapshot taken before a removal must survive the save that follows it.
    MAX_VERSIONS_PER_PORTFOLIO = max(2, _env_int("MAX_VERSIONS_PER_PORTFOLIO", 50))

    # Proof files (GridFS): per file, per user over all portfolios (thumbnails included), and
    # the largest image (pixels, all frames) decoded to strip its metadata.
    PROOF_MAX_BYTES = _env_int("PROOF_MAX_BYTES", 20 * 1024 * 1024)
    USER_STORAGE_QUOTA_BYTES = _env_int("USER_STORAGE_QUOTA_BYTES", 200 * 1024 * 1024)
    PROOF_MAX_IMAGE_PIXELS = _env_int("PROOF_MAX_IMAGE_PIXELS", 40_000_000)
    # Deleted proofs (and those of deleted items) keep their files this long, then are purged.
    PROOF_TRASH_DAYS = _env_int("PROOF_TRASH_DAYS", 30)

    # Audience (visits, statistics, notifications). See README "Audience and privacy".
    VISITS_ENABLED = _env_bool("VISITS_ENABLED", True)
    VISITS_CAPPED_BYTES = _env_int("VISITS_CAPPED_BYTES", 256 * 1024 * 1024)
    GEOIP_DB_PATH = os.environ.get("GEOIP_DB_PATH", "")
    NOTIFY_EVERY_RECRUITER_VISIT = _env_bool("NOTIFY_EVERY_RECRUITER_VISIT", False)
    # How long a worker counting a visit holds it: a worker that dies leaves the visit to the next
    # one after that long (app/services/visits.py).
    VISIT_CLAIM_SECONDS = _env_int("VISIT_CLAIM_SECONDS", 60)
    # A web process writes the visits and recruiter-link openings its requests counted in one
    # batch this often, after the responses; a process killed outright loses the last batch
    # (app/services/visit_buffer.py). 0: each request writes its own before answering.
    VISIT_FLUSH_SECONDS = _env_float("VISIT_FLUSH_SECONDS", 0.05)
    # Merged into Celery's configuration by celery_init_app. Publishing a visit must fail fast
    # when Redis is down (the page then records it itself): a short connect timeout and no
    # reconnection attempts when publishing (kombu would otherwise retry for seconds).
    CELERY = {
        "broker_transport_options": {"socket_connect_timeout": 1, "max_retries": 0},
        # The queue the app and beat publish to, and a worker started without -Q consumes.
        "task_default_queue": os.environ.get("CELERY_QUEUE", "celery"),
        "beat_schedule": {
            # The sweep: visits waiting in the outbox that no request's task counted.
            "count-visits": {"task": "vitrine.count_visits", "schedule": 60.0},
            "daily-digests": {"task": "vitrine.daily_digests",
                              "schedule": crontab(hour=6, minute=0)},
            "link-expiry-notices": {"task": "vitrine.link_expiry_notices",
                                    "schedule": crontab(minute=15)},
            "proof-trash-purge": {"task": "vitrine.purge_proof_trash",
                                  "schedule": crontab(hour=3, minute=30)},
            "proofs-cleanup": {"task": "vitrine.proofs_cleanup",
                               "schedule": crontab(hour=4, minute=0)},
        },
        "timezone": "UTC",
    }
    # How long a task message a worker took but never acknowledged (a worker killed, or a Redis
    # restart while it held messages: it cannot put them back while Redis is down) stays hidden
    # before any worker puts it back in its queue (kombu's `unacked` hash, `restore_visible`).
    # Above the longest task plus its retry countdown (5 minutes at most): a message restored too
    # early runs twice, which the tasks tolerate (they are idempotent) but should not need to.
    CELERY_VISIBILITY_TIMEOUT = _env_int("CELERY_VISIBILITY_TIMEOUT", 900)
    # Applied over CELERY in the worker and beat processes only (celery_worker.py): they must
    # ride out a Redis restart, where the web app's publishing must fail fast.
    CELERY_WORKER = {
        # Replaces the app's options (no `max_retries: 0`): the worker reconnects until Redis
        # answers again. Bounded socket waits: without them, kombu documents, a Redis that
        # vanishes without closing the TCP connection (a failover) hangs a synchronous command
        # such as an acknowledgement for ever.
        "broker_transport_options": {
            "socket_connect_timeout": 5,
            "socket_timeout": 10,  # above the 1 s BRPOP the worker polls with
            "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
            # Look for such messages every few seconds (kombu's default: every 100 s).
            "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 4)),
            "unacked_restore_throttle": 1,
            # The lock a worker holds while it restores them is a Redis key; a Redis killed
            # during a restore keeps it (append-only file) and, with kombu's 5 minutes, no
            # worker restores anything for that long after the restart. Restores stay safe
            # without it (each message is moved in a transaction watching `unacked`).
            "unacked_mutex_expire": min(300, CELERY_VISIBILITY_TIMEOUT),
        },
        "broker_connection_retry": True,
        "broker_connection_max_retries": None,  # however long Redis is down (default: 100 tries)
        # Remote control's pub/sub connection always has a read pending on Redis: it is what
        # notices a restart when the task channel has none (its prefetch full of messages whose
        # acknowledgement failed), so the worker reconnects instead of waiting for ever. Its
        # channel was also the trigger of the worker's crash on Redis restarts, fixed in
        # celery_worker.py (close_every_channel).
        "worker_enable_remote_control": True,
        # A worker exists to consume: never run tasks in-process, even if Redis was down when it
        # started (celery_init_app would otherwise make it eager, and beat would run its
        # schedule inside the beat process).
        "task_always_eager": False,
        # Tasks running when the connection drops finish rather than being killed half-way:
        # their acknowledgement reaches Redis if it is back by then, or the message comes back
        # after the visibility timeout and counts once (the tasks are idempotent).
        "worker_cancel_long_running_tasks_on_connection_loss": False,
    }

    # The AI assistant (draft a portfolio, improve a text): any OpenAI-compatible chat-completions
    # endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp...). Without a base URL and a key its
    # routes answer 503 and the rest of the app does not care.
    AI_BASE_URL = os.environ.get("AI_BASE_URL", "")
    AI_API_KEY = os.environ.get("AI_API_KEY", "")
    AI_MODEL = os.environ.get("AI_MODEL", "gpt-4o-mini")
    # The whole exchange with the provider, a retry in JSON object mode included (504 beyond).
    AI_TIMEOUT_SECONDS = float(os.environ.get("AI_TIMEOUT_SECONDS", 30))
    # Requests to the provider per user per UTC day (429 beyond, until midnight UTC).
    AI_DAILY_REQUESTS_PER_USER = _env_int("AI_DAILY_REQUESTS_PER_USER", 50)

    # flask-smorest / OpenAPI
    API_TITLE = "Vitrine API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    # Served by the app itself (app/static/vendor/README.md): the page works offline and under
    # the pages' CSP (its start-up script is app/static/app/api-docs.js, no inline script).
    OPENAPI_SWAGGER_UI_URL = "/static/vendor/swagger-ui-5.35.0/"
    # No validator badge: it is an image from validator.swagger.io, another host.
    OPENAPI_SWAGGER_UI_CONFIG = {"validatorUrl": None}
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "access_token_cookie",
                               "description": 'The web app\'s session (sign in with "session": '
                                              '"cookie"); POST, PUT, PATCH and DELETE also need '
                                              'the X-CSRF-TOKEN header.'},
            }
        },
        "info": {"description": "REST API of Vitrine, the portfolio service."},
    }

    @classmethod
    def validate(cls):
        """Refuse to run production with secrets anyone could know, or without its address."""
        if cls.APP_ENV != "production":
            return
        for name in ("SECRET_KEY", "JWT_SECRET_KEY"):
            value = getattr(cls, name)
            if value == DEFAULT_SECRET or len(value) < MIN_SECRET_LENGTH:
                raise RuntimeError(
                    f"{name} must be set to a random value of at least "
                    f"{MIN_SECRET_LENGTH} characters in production"
                )
        if not cls.PUBLIC_BASE_URL.startswith(("https://", "http://")):
            raise RuntimeError(
                "PUBLIC_BASE_URL must be set in production (like https://vitrine.example.com): "
                "links, PDFs and the hosts the app answers to are built on it")
        needing_mail = [name for name in MAIL_FEATURES if getattr(cls, name)]
        if needing_mail and not cls.MAIL_SERVER:
            raise RuntimeError(
                f"MAIL_SERVER must be set in production: {', '.join(needing_mail)} "
                f"send{'s' if len(needing_mail) == 1 else ''} mail (set MAIL_SERVER, or turn "
                f"{'it' if len(needing_mail) == 1 else 'them'} off with false)")


class TestConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-that-is-long-enough-000"
    JWT_SECRET_KEY = "test-jwt-secret-key-that-is-long-enough"
    MONGODB_URI = os.environ.get("TEST_MONGODB_URI", "mongodb://127.0.0.1:27017/vitrine_test")
    # The request deadline covers the CPU work between queries too (argon2 at sign-up): room for
    # a loaded test machine. Outage tests set their own, shorter.
    MONGODB_TIMEOUT_MS = 3000
    RATELIMIT_ENABLED = False
    # Tasks run in-process: no test leaves messages in the shared Redis. The Celery integration
    # tests turn this off and run a real worker on a queue of their own.
    CELERY_ALWAYS_EAGER = True
    # Visits and link openings written by the request that counted them: a test reads them at
    # once. tests/test_visit_buffer.py turns the batches on.
    VISIT_FLUSH_SECONDS = 0
    # Mails go to the log only; the mail tests start their own SMTP server.
    MAIL_SERVER = ""
    MAIL_OUTBOX_DIR = ""
    # No AI provider, whatever the environment says: the AI tests start their own.
    AI_BASE_URL = ""
    AI_API_KEY = ""
