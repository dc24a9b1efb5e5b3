"""The web app's pages (app/web/app_pages.py): who gets which page; the browser tests in
tests/browser/ drive them."""
import re

import pytest

from app.web.app_pages import safe_next

from .conftest import PASSWORD
from .test_security_headers import assert_hardened_page

SIGNED_IN_PAGES = ["/app", "/app/account", "/app/portfolios/65f0c0ffee0000000000abcd",
                   "/app/portfolios/65f0c0ffee0000000000abcd/stats"]


@pytest.fixture
def browser(client, register):
    """A test client holding a cookie session, as the web app's browser does."""
    email = register()["user"]["email"]
    response = client.post("/api/v1/auth/login",
                           json={"email": email, "password": PASSWORD, "session": "cookie"})
    assert response.status_code == 200
    return client


@pytest.mark.parametrize("path, module", [("/", None), ("/signin", "signin.js"),
                                          ("/signup", "signup.js")])
def test_signed_out_pages(client, path, module):
    response = client.get(path)
    assert response.status_code == 200
    assert_hardened_page(response)
    scripts = re.findall(r'<script type="module" src="/static/app/([a-z]+\.js)">',
                         response.get_data(as_text=True))
    assert scripts == ([module] if module else [])


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages_send_a_browser_without_session_to_sign_in(client, path):
    response = client.get(f"{path}?tab=1")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/signin?next={path}?tab%3D1"


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages_are_shells(browser, path):
    response = browser.get(path)
    assert response.status_code == 200
    assert_hardened_page(response)
    html = response.get_data(as_text=True)
    assert '<div id="notification-bell" class="notification-bell"></div>' in html
    assert '<script type="module" src="/static/app/shell.js"></script>' in html


def test_pages_name_the_portfolio_for_their_module(browser):
    html = browser.get("/app/portfolios/65f0c0ffee0000000000abcd").get_data(as_text=True)
    assert 'id="editor" class="editor stack" data-portfolio-id="65f0c0ffee0000000000abcd"' in html
    assert browser.get("/app/portfolios/not-an-id").status_code == 404


def test_an_expired_access_cookie_still_gets_the_shell_to_refresh(browser):
    browser.delete_cookie("access_token_cookie")
    assert browser.get("/app").status_code == 200
    browser.delete_cookie("csrf_refresh_token")
    assert browser.get("/app").status_code == 302


def test_a_revoked_session_is_not_signed_in(browser):
    csrf = browser.get_cookie("csrf_access_token").value
    access = browser.get_cookie("access_token_cookie").value
    browser.post("/api/v1/auth/logout", headers={"X-CSRF-TOKEN": csrf})
    browser.set_cookie("access_token_cookie", access)
    assert browser.get("/signin").status_code == 200
    assert browser.get("/app").status_code == 302


def test_sign_in_and_sign_up_with_a_session_go_on(browser):
    assert browser.get("/signin").headers["Location"] == "/app"
    assert browser.get("/signup?next=/app/account").headers["Location"] == "/app/account"
    assert browser.get("/signin?next=https://evil.example/").headers["Location"] == "/app"
    landing = browser.get("/").get_data(as_text=True)
    assert "Open your dashboard" in landing and ">Sign up<" not in landing


@pytest.mark.parametrize("target, expected", [
    ("/app/account", "/app/account"),
    ("/app/portfolios/1?tab=design#x", "/app/portfolios/1?tab=design#x"),
    (None, "/app"), ("", "/app"), ("app", "/app"),
    ("//evil.example/app", "/app"), ("/\\evil.example", "/app"),
    ("https://evil.example/app", "/app"), ("javascript:alert(1)", "/app"),
    ("/app\r\nLocation: https://evil.example", "/app"), ("/\tevil", "/app"),
])
def test_next_is_only_ever_a_path_of_this_site(target, expected):
    assert safe_next(target) == expected


def test_sign_in_form_carries_a_safe_next(client):
    html = client.get("/signin?next=//evil.example").get_data(as_text=True)
    assert 'data-next="/app"' in html
    html = client.get("/signin?next=/app/account").get_data(as_text=True)
    assert 'data-next="/app/account"' in html


def test_provider_buttons_only_for_configured_providers(client, make_app):
    assert "Continue with" not in client.get("/").get_data(as_text=True)
    configured = make_app(GOOGLE_CLIENT_ID="id", GOOGLE_CLIENT_SECRET="secret").test_client()
    for path in ("/", "/signin", "/signup"):
        html = configured.get(path).get_data(as_text=True)
        assert ('<a class="button" href="/api/v1/auth/oauth/google/login?session=cookie">'
                "Continue with Google</a>") in html
        assert "LinkedIn" not in html


def test_the_site_has_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
