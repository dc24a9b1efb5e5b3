"""The error model, the OpenAPI document, health checks, configuration and the database outage."""
import contextlib
import os
import signal
import tempfile
import time

import pytest

from app import create_app
from config import Config
from scripts import local_mongod

from .conftest import PASSWORD


def assert_error_shape(response, code):
    assert response.status_code == code
    assert response.content_type.startswith("application/json")
    body = response.get_json()
    assert body["code"] == code
    assert isinstance(body["status"], str) and isinstance(body["message"], str)
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_unknown_api_path_is_json_404(client):
    assert_error_shape(client.get("/api/v1/nope"), 404)


def test_wrong_method_is_json_405(client):
    assert_error_shape(client.get("/api/v1/auth/login"), 405)


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/auth/login", data="{not json",
                           content_type="application/json")
    assert_error_shape(response, 400)


def test_validation_errors_name_the_field(client):
    body = assert_error_shape(client.post("/api/v1/auth/login", json={"email": "x"}), 422)
    assert set(body["errors"]) == {"email", "password"}
    assert body["message"].startswith("Invalid input")


def test_oversized_body_is_413(client):
    response = client.post("/api/v1/auth/login", data="x" * (3 * 1024 * 1024),
                           content_type="application/json")
    assert_error_shape(response, 413)


def test_unexpected_error_is_a_logged_json_500(app, caplog):
    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/api/v1/boom")
    body = assert_error_shape(response, 500)
    assert "secret internals" not in body["message"]
    assert "secret internals" in caplog.text


def test_html_routes_get_an_html_error_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")


def test_openapi_documents_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    operations = [(path, method, op) for path, item in spec["paths"].items()
                  for method, op in item.items() if method in {"get", "post", "patch", "put", "delete"}]
    assert len(operations) >= 8
    for path, method, operation in operations:
        assert path.startswith("/api/v1/"), path
        success = [code for code in operation["responses"] if code[0] in "23"]
        assert success, f"{method} {path} documents no success response"
        if method in {"post", "patch", "put"} and "requestBody" not in operation:
            assert path.endswith(("/refresh", "/restore", "/duplicate", "/read",
                                  "/revoke-all", "/verify-email/resend", "/2fa/setup")), \
                f"{method} {path} documents no request body"
    me = spec["paths"]["/api/v1/auth/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]
    assert client.get("/api/v1/docs").status_code == 200


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "mongo": "ok", "redis": "ok"}


def test_healthz_names_what_is_down(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/healthz")
    body = assert_error_shape(response, 503)
    assert body["redis"].startswith("down") and body["mongo"] == "ok"
    assert "redis" in body["message"]


def test_production_refuses_default_or_short_secrets():
    class Production(Config):
        APP_ENV = "production"
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Production)

    class ShortSecrets(Production):
        SECRET_KEY = JWT_SECRET_KEY = "short"
    with pytest.raises(RuntimeError):
        create_app(ShortSecrets)


@contextlib.contextmanager
def own_mongod():
    """A mongod of the test's own, which it may freeze: `(uri, process)`."""
    if not local_mongod.find_mongod():
        pytest.skip("needs a mongod binary to start a second server")
    with tempfile.TemporaryDirectory() as dbpath:
        uri, process = local_mongod.start(dbpath)
        try:
            yield uri, process
            # The server the test froze was its own, not another one on the same port.
            assert process.poll() is None, "the test's mongod had exited"
        finally:
            os.kill(process.pid, signal.SIGCONT)
            process.terminate()
            process.wait(timeout=30)


def assert_recovers(send):
    """A thawed server catches up on its backlog first: 503s meanwhile, never a 500, then 200."""
    statuses = []
    for _ in range(20):
        statuses.append(send().status_code)
        if statuses[-1] == 200:
            break
        time.sleep(0.25)
    assert set(statuses[:-1]) <= {503} and statuses[-1] == 200, statuses


@pytest.mark.real_mongo
def test_database_outage_is_503_and_the_app_recovers(make_app):
    with own_mongod() as (uri, process):
        app = make_app(MONGODB_URI=uri.replace("/?", "/outage?"), MONGODB_TIMEOUT_MS=800)
        client = app.test_client()
        login = {"email": "o@example.com", "password": PASSWORD}
        registered = client.post("/api/v1/auth/register", json=login | {"full_name": "O"})
        assert registered.status_code == 201

        os.kill(process.pid, signal.SIGSTOP)  # the server stops answering
        try:
            body = assert_error_shape(client.post("/api/v1/auth/login", json=login), 503)
            assert "database" in body["message"].lower()
            assert client.get("/healthz").status_code == 503
        finally:
            os.kill(process.pid, signal.SIGCONT)

        assert_recovers(lambda: client.post("/api/v1/auth/login", json=login))


@pytest.mark.real_mongo
def test_a_frozen_database_is_503_within_one_deadline_per_request(make_app):
    """Every query of a request shares one MONGODB_TIMEOUT_MS deadline: the answer comes in
    about that long, not that long per query (it was 15 s for the public JSON view)."""
    with own_mongod() as (uri, process):
        app = make_app(MONGODB_URI=uri.replace("/?", "/frozen?"), MONGODB_TIMEOUT_MS=1000)
        client = app.test_client()
        account = client.post("/api/v1/auth/register", json={
            "email": "f@example.com", "password": PASSWORD, "full_name": "F"}).get_json()
        headers = {"Authorization": f"Bearer {account['access_token']}"}
        portfolio = client.post("/api/v1/portfolios/", json={"title": "Frozen",
                                                             "is_private": False},
                                headers=headers).get_json()
        requests = ((f"/api/v1/public/{portfolio['slug']}", {}),
                    (f"/api/v1/portfolios/{portfolio['id']}", headers),
                    (f"/p/{portfolio['slug']}", {}))
        os.kill(process.pid, signal.SIGSTOP)
        try:
            for path, request_headers in requests:
                started = time.monotonic()
                status = client.get(path, headers=request_headers).status_code
                elapsed = time.monotonic() - started
                assert (status, elapsed < 2.0) == (503, True), (path, status, elapsed)
        finally:
            os.kill(process.pid, signal.SIGCONT)
        assert_recovers(lambda: client.get(requests[0][0]))


def test_collections_answer_with_or_without_a_trailing_slash(auth_client):
    for path in ("/api/v1/portfolios", "/api/v1/portfolios/", "/api/v1/notifications",
                 "/api/v1/notifications/"):
        assert auth_client.get(path).status_code == 200, path
    assert auth_client.post("/api/v1/portfolios", json={"title": "No slash"}).status_code == 201


@pytest.mark.parametrize("body", [
    '{"title": ' + "[" * 5000 + "]" * 5000 + "}",   # deeper than Python's stack
    '{"title": "x", "version": ' + "9" * 5000 + "}",  # past the int-to-string digit limit
    '{"title": "a\\ud800b"}',                          # a lone surrogate: not storable UTF-8
], ids=["deep-nesting", "huge-integer", "lone-surrogate"])
def test_bodies_json_cannot_carry_safely_are_400_not_500(auth_client, body):
    for method, path in (("post", "/api/v1/portfolios/"), ("post", "/api/v1/auth/login"),
                         ("post", "/api/v1/auth/register")):
        response = getattr(auth_client, method)(path, data=body, content_type="application/json")
        assert_error_shape(response, 400)


def test_a_body_that_is_not_json_is_400_not_silently_ignored(auth_client, portfolio_factory):
    portfolio = portfolio_factory(title="Kept")
    url = f"/api/v1/portfolios/{portfolio['id']}"
    form = auth_client.patch(url, data={"title": "Lost"})
    assert "JSON" in assert_error_shape(form, 400)["message"]
    text = auth_client.patch(url, data='{"title": "Lost"}', content_type="text/plain")
    assert_error_shape(text, 400)
    assert auth_client.get(url).get_json()["title"] == "Kept"
    # No body at all is still an empty JSON object (logout's body is optional).
    assert auth_client.post("/api/v1/auth/logout").status_code == 204


def test_integers_mongodb_cannot_store_are_422_not_500(auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    too_big = 2 ** 63
    for path in ("/api/v1/portfolios/", "/api/v1/notifications/",
                 f"/api/v1/portfolios/{portfolio['id']}/versions",
                 f"/api/v1/portfolios/{portfolio['id']}/recruiter-links/"):
        body = assert_error_shape(auth_client.get(f"{path}?offset={too_big}"), 422)
        assert set(body["errors"]) == {"offset"}, path
    assert auth_client.get(f"/api/v1/portfolios/?offset={too_big - 1}").status_code == 200
    patch = auth_client.patch(f"/api/v1/portfolios/{portfolio['id']}", json={"version": too_big})
    assert set(assert_error_shape(patch, 422)["errors"]) == {"version"}
    spec = auth_client.get("/api/v1/openapi.json").get_json()
    offset = next(p for p in spec["paths"]["/api/v1/portfolios/"]["get"]["parameters"]
                  if p["name"] == "offset")
    assert offset["schema"]["maximum"] == too_big - 1


def test_a_documented_required_body_that_is_missing_is_400(auth_client, portfolio_factory):
    portfolio = portfolio_factory(title="Kept")
    url = f"/api/v1/portfolios/{portfolio['id']}"
    spec = auth_client.get("/api/v1/openapi.json").get_json()
    assert spec["paths"]["/api/v1/portfolios/{portfolio_id}"]["patch"]["requestBody"]["required"]
    for response in (auth_client.patch(url), auth_client.patch("/api/v1/auth/me"),
                     auth_client.patch(url, content_type="application/json")):
        assert "body" in assert_error_shape(response, 400)["message"]
    assert auth_client.patch(url, json={}).status_code == 200  # an empty object is a body
    assert not spec["paths"]["/api/v1/auth/logout"]["post"]["requestBody"].get("required")
    assert auth_client.post("/api/v1/auth/logout").status_code == 204
