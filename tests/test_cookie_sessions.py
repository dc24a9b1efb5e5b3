"""Browser sessions: the tokens in HttpOnly cookies, CSRF double submit on unsafe methods
(app/session_cookies.py). Bearer clients keep working as before."""
import os
import subprocess
import sys

import pytest

from .conftest import PASSWORD, bearer

REFRESH_PATH = "/api/v1/auth/refresh"
SESSION_COOKIES = ("access_token_cookie", "refresh_token_cookie", "csrf_access_token",
                   "csrf_refresh_token")


def set_cookies(response):
    """{name: {"value": ..., attribute (lower-case): value or True}} of the Set-Cookie headers."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        pair, *attributes = [part.strip() for part in header.split(";")]
        name, value = pair.split("=", 1)
        cookies[name] = {"value": value}
        for attribute in attributes:
            key, _, attribute_value = attribute.partition("=")
            cookies[name][key.lower()] = attribute_value or True
    return cookies


def cookie(client, name, path="/"):
    found = client.get_cookie(name, path=path)
    return found.value if found else None


def csrf(client, kind="access"):
    return {"X-CSRF-TOKEN": cookie(client, f"csrf_{kind}_token")}


@pytest.fixture
def browser(client, register):
    """A test client signed in the way the web app is: cookies, no token in its hands."""
    email = register()["user"]["email"]
    response = client.post("/api/v1/auth/login",
                           json={"email": email, "password": PASSWORD, "session": "cookie"})
    assert response.status_code == 200, response.get_json()
    client.login_response = response
    return client


def test_cookie_login_sets_httponly_cookies_and_answers_no_token(browser):
    response = browser.login_response
    assert set(response.get_json()) == {"user"}
    cookies = set_cookies(response)
    assert set(cookies) == set(SESSION_COOKIES)
    for name in SESSION_COOKIES:
        assert cookies[name]["samesite"] == "Lax"
        assert "secure" not in cookies[name]  # plain HTTP outside production
    assert cookies["access_token_cookie"]["httponly"] is True
    assert cookies["refresh_token_cookie"]["httponly"] is True
    assert "httponly" not in cookies["csrf_access_token"]
    assert "httponly" not in cookies["csrf_refresh_token"]
    assert cookies["access_token_cookie"]["path"] == "/"
    assert cookies["refresh_token_cookie"]["path"] == REFRESH_PATH
    # Each cookie lives as long as its token: 15 minutes and 30 days by default.
    assert cookies["access_token_cookie"]["max-age"] == "900"
    assert cookies["refresh_token_cookie"]["max-age"] == str(30 * 24 * 3600)
    me = browser.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.get_json()["email"] == response.get_json()["user"]["email"]


def test_cookie_registration_signs_in_with_cookies(client):
    response = client.post("/api/v1/auth/register", json={
        "email": "grace@example.com", "password": PASSWORD, "full_name": "Grace Hopper",
        "session": "cookie"})
    assert response.status_code == 201
    assert set(response.get_json()) == {"user"}
    assert client.get("/api/v1/auth/me").get_json()["full_name"] == "Grace Hopper"


def test_unknown_session_kind_is_422(client, register):
    email = register()["user"]["email"]
    response = client.post("/api/v1/auth/login",
                           json={"email": email, "password": PASSWORD, "session": "localStorage"})
    assert response.status_code == 422 and "session" in response.get_json()["errors"]


@pytest.mark.parametrize("method, path, body", [
    ("patch", "/api/v1/auth/me", {"full_name": "Mallory"}),
    ("post", "/api/v1/portfolios/", {"title": "Forged"}),
    ("delete", "/api/v1/auth/me", {"password": PASSWORD}),
    ("post", "/api/v1/auth/logout", None),
    ("post", "/api/v1/auth/sessions/revoke-all", None),
])
def test_unsafe_methods_need_the_csrf_header(browser, method, path, body):
    for headers in ({}, {"X-CSRF-TOKEN": "not-the-cookie-value"}):
        response = getattr(browser, method)(path, json=body, headers=headers)
        assert response.status_code == 403, (headers, response.get_json())
        error = response.get_json()
        assert error["code"] == 403 and error["status"] == "Forbidden"
        assert "X-CSRF-TOKEN" in error["message"]
    assert browser.get("/api/v1/auth/me").get_json()["full_name"] == "Ada Lovelace"
    assert browser.get("/api/v1/portfolios/").get_json()["pagination"]["total"] == 0


def test_unsafe_method_with_the_csrf_header_works(browser):
    response = browser.patch("/api/v1/auth/me", json={"full_name": "Ada King"},
                             headers=csrf(browser))
    assert response.status_code == 200 and response.get_json()["full_name"] == "Ada King"


def test_refresh_by_cookie_rotates_the_cookies(browser):
    old_access, old_refresh = cookie(browser, "access_token_cookie"), \
        cookie(browser, "refresh_token_cookie", REFRESH_PATH)
    assert browser.post("/api/v1/auth/refresh").status_code == 403  # CSRF header missing
    response = browser.post("/api/v1/auth/refresh", headers=csrf(browser, "refresh"))
    assert response.status_code == 200 and response.get_json() == {}
    assert set(set_cookies(response)) == set(SESSION_COOKIES)
    assert cookie(browser, "access_token_cookie") != old_access
    assert cookie(browser, "refresh_token_cookie", REFRESH_PATH) != old_refresh
    assert browser.get("/api/v1/auth/me").status_code == 200


def test_a_spent_refresh_cookie_revokes_the_family(browser):
    stolen = {"refresh": cookie(browser, "refresh_token_cookie", REFRESH_PATH),
              "csrf": cookie(browser, "csrf_refresh_token")}
    assert browser.post("/api/v1/auth/refresh", headers=csrf(browser, "refresh")).status_code == 200
    assert browser.get("/api/v1/auth/me").status_code == 200

    browser.set_cookie("refresh_token_cookie", stolen["refresh"], path=REFRESH_PATH)
    replay = browser.post("/api/v1/auth/refresh", headers={"X-CSRF-TOKEN": stolen["csrf"]})
    assert replay.status_code == 401
    assert "revoked" in replay.get_json()["message"]
    # The refused browser's cookies are deleted, and the rotated session is dead too.
    assert all(set_cookies(replay)[name]["value"] == "" for name in SESSION_COOKIES)
    assert browser.get("/api/v1/auth/me").status_code == 401


def test_logout_revokes_the_session_and_deletes_the_cookies(browser):
    access = cookie(browser, "access_token_cookie")
    response = browser.post("/api/v1/auth/logout", headers=csrf(browser))
    assert response.status_code == 204
    deleted = set_cookies(response)
    assert set(deleted) == set(SESSION_COOKIES)
    assert all(deleted[name]["value"] == "" for name in SESSION_COOKIES)
    assert deleted["refresh_token_cookie"]["path"] == REFRESH_PATH
    assert browser.get_cookie("access_token_cookie") is None
    # The access token itself is revoked, not only forgotten by this browser.
    assert browser.get("/api/v1/auth/me", headers=bearer(access)).status_code == 401


def test_sign_out_everywhere_ends_every_session(app, browser):
    user_email = browser.get("/api/v1/auth/me").get_json()["email"]
    other_device = app.test_client().post("/api/v1/auth/login", json={
        "email": user_email, "password": PASSWORD}).get_json()
    response = browser.post("/api/v1/auth/sessions/revoke-all", headers=csrf(browser))
    assert response.status_code == 204
    assert browser.get_cookie("access_token_cookie") is None
    me = app.test_client().get("/api/v1/auth/me", headers=bearer(other_device["access_token"]))
    assert me.status_code == 401
    refresh = app.test_client().post("/api/v1/auth/refresh",
                                     headers=bearer(other_device["refresh_token"]))
    assert refresh.status_code == 401


def test_sign_out_everywhere_works_with_a_bearer_token(client, register):
    tokens = register()
    response = client.post("/api/v1/auth/sessions/revoke-all",
                           headers=bearer(tokens["access_token"]))
    assert response.status_code == 204
    assert client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])).status_code == 401


def test_bearer_requests_need_no_csrf_header(client, register):
    tokens = register()
    assert "access_token" in tokens and "refresh_token" in tokens
    response = client.patch("/api/v1/auth/me", json={"full_name": "Ada King"},
                            headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    refreshed = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert refreshed.status_code == 200 and set(refreshed.get_json()) == {"access_token",
                                                                         "refresh_token"}
    assert "Set-Cookie" not in refreshed.headers


def test_a_bearer_header_wins_over_the_cookies(browser, register):
    other = register(full_name="Grace Hopper")
    response = browser.patch("/api/v1/auth/me", json={"full_name": "Grace B. Hopper"},
                             headers=bearer(other["access_token"]))
    assert response.status_code == 200 and response.get_json()["email"] == other["user"]["email"]
    assert browser.get("/api/v1/auth/me").get_json()["full_name"] == "Ada Lovelace"


def test_missing_session_is_401_in_the_error_shape(client):
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert set(response.get_json()) == {"code", "status", "message"}


def test_cookies_are_secure_in_production():
    environment = {**os.environ, "APP_ENV": "production"}
    output = subprocess.run(
        [sys.executable, "-c", "from config import Config; "
                               "print(Config.JWT_COOKIE_SECURE, Config.SESSION_COOKIE_SECURE)"],
        env=environment, capture_output=True, text=True, check=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert output.stdout.split() == ["True", "True"]
