"""Deploying on a host without Redis (PythonAnywhere): boot, health, rate limits shared by
several processes through MongoDB, visits counted in the request, the scheduled jobs as `flask`
commands, `flask create-indexes`, and wsgi.py's `.env`.

The API docs page's files are checked here; it is rendered offline, in a browser, by
tests/browser/test_api_docs.py.
"""
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pymongo
import pytest
from bson import ObjectId

from app.extensions import RATE_LIMIT_COLLECTIONS
from app.models.audience import ROLLUPS, VISITS, Notification, rollup_id, utc_today
from scripts import local_mongod

from .conftest import PASSWORD, _with_database

ROOT = Path(__file__).resolve().parent.parent
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"
# What a deployment sets; stripped from the subprocesses' environment so that only the test's
# own values (or the .env file's) count.
SETTINGS = ("APP_ENV", "SECRET_KEY", "JWT_SECRET_KEY", "PUBLIC_BASE_URL", "TRUSTED_HOSTS",
            "MONGODB_URI", "REDIS_URL", "MAX_PORTFOLIOS_PER_USER", "RATELIMIT_LOGIN_PER_ACCOUNT",
            "RATELIMIT_LOGIN_PER_IP", "MAIL_SERVER")


def deployment_environment(**settings):
    environment = {name: value for name, value in os.environ.items() if name not in SETTINGS}
    return {**environment, "PYTHONPATH": str(ROOT), **settings}


@pytest.fixture
def no_redis_app(make_app):
    """REDIS_URL empty, with the rate limits and Celery as production has them."""
    return make_app(REDIS_URL="", CELERY_ALWAYS_EAGER=False, RATELIMIT_ENABLED=True)


def test_without_redis_the_app_boots_and_is_healthy(no_redis_app):
    response = no_redis_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "mongo": "ok", "redis": "not configured"}
    assert no_redis_app.extensions["celery"].conf.task_always_eager
    assert no_redis_app.config["RATELIMIT_STORAGE_URI"].startswith("mongodb://")


def test_a_configured_redis_that_is_down_stays_an_outage(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0", CELERY_ALWAYS_EAGER=False)
    assert app.test_client().get("/healthz").status_code == 503
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"  # degraded, per process
    assert app.extensions["celery"].conf.task_always_eager


def test_production_without_redis_url_means_no_redis():
    """Unset in production is "no Redis" (development keeps the local one `make run` uses)."""
    script = "from config import Config; print(repr(Config.REDIS_URL))"
    for app_env, expected in (("production", "''"), ("development", "'redis://127.0.0.1:6379/0'")):
        result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                                text=True, timeout=60, env=deployment_environment(APP_ENV=app_env))
        assert result.stdout.strip() == expected, result.stderr


def test_without_redis_a_visit_is_counted_in_the_request(no_redis_app, register):
    client = no_redis_app.test_client()
    owner = register()
    headers = {"Authorization": f"Bearer {owner['access_token']}"}
    portfolio = client.post("/api/v1/portfolios/", json={"title": "Counted", "is_private": False},
                            headers=headers).get_json()
    visitor = no_redis_app.test_client()
    assert visitor.get(f"/p/{portfolio['slug']}", headers={"User-Agent": FIREFOX}).status_code == 200
    stats = client.get(f"/api/v1/portfolios/{portfolio['id']}/stats?days=1", headers=headers)
    assert stats.status_code == 200, stats.get_json()
    assert stats.get_json()["total_views"] == 1


def connections_of(client, app_name):
    return client.admin.command({"currentOp": 1, "$all": True, "appName": app_name})["inprog"]


def test_the_app_leaves_no_mongodb_connection_to_forked_workers(test_config, test_database):
    """uWSGI (PythonAnywhere) loads the app, then forks its workers without telling Python:
    pymongo's own after-fork reset never runs, so a client connected at start-up is shared by
    the workers (500s: "TransactionTooOld" on concurrent writes, seen in the uWSGI trial). The
    start-up work may connect, but what the app keeps connects at its first query: once the app
    is loaded, the server sees no connection of its process."""
    app_name = f"fork-check-{uuid.uuid4().hex[:8]}"
    uri = f"{test_config.MONGODB_URI}{'&' if '?' in test_config.MONGODB_URI else '?'}" \
          f"appName={app_name}"
    loaded = subprocess.Popen(
        [sys.executable, "-c", "import sys, wsgi; print('loaded', flush=True); sys.stdin.read()"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, env=deployment_environment(MONGODB_URI=uri, REDIS_URL=""))
    try:
        assert loaded.stdout.readline().strip() == "loaded"
        deadline = time.monotonic() + 10
        # The server lets go of the start-up client's connections as it notices them closed.
        while connections_of(test_database.client, app_name) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert connections_of(test_database.client, app_name) == []
    finally:
        loaded.communicate(timeout=60)


# --- rate limits shared by several processes -------------------------------------------------

def serve(environment):
    """gunicorn serving wsgi:app with one worker on a free port: `(process, port)`."""
    port = local_mongod.free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return process, port


def wait_until_serving(process, port, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return post_json(port, "/healthz", method="GET")
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn on {port} did not start: "
                                   f"{process.stderr.read().decode() if process.poll() else ''}")
            time.sleep(0.2)


def post_json(port, path, body=None, method="POST"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None,
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


@pytest.mark.real_mongo
def test_without_redis_the_login_limit_holds_across_three_processes(test_config, test_database):
    """5 wrong passwords per account per minute, wherever they land: the sixth is a 429 even
    though no process saw more than two (per-process memory would allow 3 × 5)."""
    environment = deployment_environment(MONGODB_URI=test_config.MONGODB_URI, REDIS_URL="",
                                         RATELIMIT_LOGIN_PER_ACCOUNT="5/minute",
                                         RATELIMIT_LOGIN_PER_IP="100/minute")
    email = f"limited-{uuid.uuid4().hex[:8]}@example.com"
    with ExitStack() as servers:
        started = [serve(environment) for _ in range(3)]
        for process, _ in started:
            servers.callback(process.wait, 30)
            servers.callback(process.terminate)
        ports = [port for _, port in started]
        for process, port in started:
            assert wait_until_serving(process, port)[0] == 200
        status, _ = post_json(ports[0], "/api/v1/auth/register",
                              {"email": email, "password": PASSWORD, "full_name": "Limited"})
        assert status == 201
        wrong = {"email": email, "password": "not the password at all"}
        statuses = [post_json(ports[attempt % 3], "/api/v1/auth/login", wrong)[0]
                    for attempt in range(6)]
        assert statuses == [401] * 5 + [429], statuses
        # The right password is refused too now, on any process: the limit is the account's.
        assert post_json(ports[1], "/api/v1/auth/login",
                         {"email": email, "password": PASSWORD})[0] == 429
    counters = test_database[RATE_LIMIT_COLLECTIONS["counter_collection_name"]]
    assert counters.count_documents({}) >= 1
    test_database.drop_collection(counters.name)


def test_the_api_docs_page_needs_nothing_from_another_host(client):
    """What the browser test (tests/browser/test_api_docs.py) checks rendered, without a browser:
    the page loads only this app's files, under the pages' CSP."""
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 4 and all(asset.startswith("/static/") for asset in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "<script>" not in html


# --- the scheduled jobs as commands ----------------------------------------------------------

def test_the_daily_digest_command(no_redis_app, portfolio_factory, test_database):
    portfolio = portfolio_factory()
    yesterday = utc_today() - timedelta(days=1)
    test_database[ROLLUPS].insert_one({
        "_id": rollup_id(portfolio["id"], yesterday.isoformat()),
        "portfolio": ObjectId(portfolio["id"]), "day": yesterday.isoformat(), "views": 3,
        "countries": {"FR": 3}})
    runner = no_redis_app.test_cli_runner()
    result = runner.invoke(args=["daily-digests"])
    assert result.exit_code == 0 and "1 digests produced" in result.output, result.output
    assert Notification.objects(kind="daily_digest", portfolio=portfolio["id"]).count() == 1
    # The same day again produces nothing new; another day has nothing to digest.
    assert "0 digests" in runner.invoke(args=["daily-digests"]).output
    assert "0 digests" in runner.invoke(args=["daily-digests", "--day", "2020-01-01"]).output


def test_the_link_expiry_notices_command(no_redis_app, auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    expires_at = datetime.now(timezone.utc) + timedelta(hours=20)
    response = auth_client.post(f"/api/v1/portfolios/{portfolio['id']}/recruiter-links",
                                json={"label": "Acme", "expires_at": expires_at.isoformat()})
    assert response.status_code == 201, response.get_json()
    result = no_redis_app.test_cli_runner().invoke(args=["link-expiry-notices"])
    assert result.exit_code == 0 and "1 expiry notices produced" in result.output, result.output
    assert Notification.objects(kind="recruiter_link_expiring").count() == 1


# --- flask create-indexes --------------------------------------------------------------------

@pytest.mark.real_mongo
def test_create_indexes_makes_every_index_on_an_empty_database(make_app, mongo_server):
    from app.cli import document_classes
    name = f"vitrine_indexes_{uuid.uuid4().hex[:8]}"
    app = make_app(MONGODB_URI=_with_database(mongo_server[0], name), REDIS_URL="")
    database = pymongo.MongoClient(mongo_server[0])[name]
    try:
        for collection in database.list_collection_names():
            database.drop_collection(collection)  # what create_app made at start-up
        runner = app.test_cli_runner()
        for _ in range(2):  # idempotent
            result = runner.invoke(args=["create-indexes"])
            assert result.exit_code == 0, result.output
        with app.app_context():
            for document_class in document_classes():
                assert document_class.compare_indexes()["missing"] == [], document_class
        assert database[VISITS].options()["capped"] is True
        assert database["proofs.chunks"].index_information()["files_id_1_n_1"]["unique"]
        assert "filename_1_uploadDate_1" in database["pdf_cache.files"].index_information()
        for collection in RATE_LIMIT_COLLECTIONS.values():
            assert database[collection].index_information()["expireAt_1"]["expireAfterSeconds"] == 0
    finally:
        database.client.drop_database(name)
        database.client.close()


# --- wsgi.py and its .env --------------------------------------------------------------------

def test_wsgi_loads_the_env_file_beside_it(tmp_path, test_config):
    """A copy of wsgi.py in a folder of its own, with a .env beside it: a production app without
    Redis boots from the file's settings; a variable the environment sets wins over the file."""
    shutil.copy(ROOT / "wsgi.py", tmp_path / "wsgi.py")
    (tmp_path / ".env").write_text("\n".join((
        "APP_ENV=production",
        f"SECRET_KEY={'s' * 40}",
        f"JWT_SECRET_KEY={'j' * 40}",
        "PUBLIC_BASE_URL=https://vitrine.example.com",
        f"MONGODB_URI={test_config.MONGODB_URI}",
        "REDIS_URL=",
        "MAIL_SERVER=smtp.example.com",
        "MAX_PORTFOLIOS_PER_USER=3",
    )) + "\n")
    script = (
        "import json, wsgi\n"
        "response = wsgi.app.test_client().get('/healthz', base_url='https://vitrine.example.com')\n"
        "print(json.dumps({'file': wsgi.__file__, 'env': wsgi.app.config['APP_ENV'],\n"
        "                  'max': wsgi.app.config['MAX_PORTFOLIOS_PER_USER'],\n"
        "                  'status': response.status_code, 'health': response.get_json()}))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120,
                            env=deployment_environment(MAX_PORTFOLIOS_PER_USER="7"))
    assert result.returncode == 0, result.stderr
    # The rate limiter's MongoDB storage, never used here, did not connect at exit (limits 5.8).
    assert "Exception ignored" not in result.stderr, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(loaded["file"]).parent == tmp_path  # the copy, beside the .env
    assert loaded["env"] == "production" and loaded["max"] == 7
    assert loaded["status"] == 200 and loaded["health"]["redis"] == "not configured"
