"""Signing up, in and out in the browser; the session is out of the scripts' reach; a
forgotten password through the mailed link; signing in with a two-factor code; the page a
verification link lands on. Mails go through a real SMTP server (tests/mail_server.py)."""
import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.services import clock

from ..mail_server import link_in, mail_settings, mailbox, smtp_server  # noqa: F401 (fixtures)
from ..test_two_factor import code_at
from .conftest import register
from .helpers import call_api, cookie, wait_for_sign_in

TOKEN_COOKIES = ("access_token_cookie", "refresh_token_cookie")


def test_landing_leads_to_sign_up_and_sign_in(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Show your work")
    page.get_by_role("link", name="Sign up", exact=True).click()
    expect(page).to_have_url(re.compile(r"/signup$"))
    page.goto("/")
    page.get_by_role("link", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/signin$"))
    # No provider is configured in the tests: no Google/LinkedIn button.
    expect(page.get_by_text("Continue with")).to_have_count(0)


def test_sign_up_through_the_form_lands_on_the_dashboard(page):
    page.goto("/signup")
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Password").fill("a long and unusual passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/app$"))
    expect(page.get_by_role("heading", name="Your portfolios")).to_be_visible()
    expect(page.get_by_role("heading", name="Create your first portfolio")).to_be_visible()
    expect(page.locator("#current-user")).to_have_text("Grace Hopper")


def test_validation_errors_are_shown_next_to_the_field(page):
    taken = register(page)
    page.context.clear_cookies()
    page.goto("/signup")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#signup-name-error")).to_have_text("Enter your full name.")
    expect(page.get_by_label("Full name")).to_be_focused()
    expect(page.get_by_label("Full name")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Full name").fill("Ada")
    page.get_by_label("Email").fill(taken.email)
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    password = page.get_by_label("Password")
    expect(password).to_have_attribute("aria-describedby",
                                       "signup-password-hint signup-password-error")
    expect(page.locator("#signup-password-error")).to_have_text("Use at least 10 characters.")

    # The server's refusals land next to their fields the same way.
    password.fill("a long and unusual passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#signup-email-error")).to_have_text("Already registered.")
    expect(page.get_by_label("Email")).to_have_attribute("aria-describedby", "signup-email-error")
    expect(page.locator("#signup-password-error")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/signup$"))


def test_sign_in_goes_back_to_the_page_asked_for(page):
    account = register(page)
    page.context.clear_cookies()
    page.goto("/app/account")
    wait_for_sign_in(page, "/app/account")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Email or password is incorrect.")
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/app/account$"))
    expect(page.get_by_label("Full name")).to_have_value(account.full_name)


def test_a_script_cannot_read_the_session(signed_in):
    page = signed_in
    page.goto("/app")
    expect(page.locator("#current-user")).to_have_text(page.account.full_name)
    readable = page.evaluate("document.cookie")
    for name in TOKEN_COOKIES:
        assert name not in readable
        assert cookie(page, name)["httpOnly"] is True
    assert "csrf_access_token=" in readable  # the CSRF value is meant to be read
    storage = page.evaluate("""() => JSON.stringify([
        Object.entries(localStorage), Object.entries(sessionStorage)])""")
    assert storage == "[[],[]]"
    access = cookie(page, "access_token_cookie")["value"]
    assert access not in page.content()


def test_an_expired_access_cookie_is_refreshed_by_the_page(signed_in):
    page = signed_in
    old_refresh = cookie(page, "refresh_token_cookie")["value"]
    page.context.clear_cookies(name="access_token_cookie")
    page.goto("/app")
    expect(page).to_have_url(re.compile(r"/app$"))
    expect(page.locator("#current-user")).to_have_text(page.account.full_name)
    assert cookie(page, "access_token_cookie") is not None
    assert cookie(page, "refresh_token_cookie")["value"] != old_refresh


def test_a_page_whose_session_is_over_goes_to_sign_in(signed_in):
    page = signed_in
    page.context.clear_cookies(name="access_token_cookie")
    page.context.clear_cookies(name="refresh_token_cookie")
    page.goto("/app")  # the csrf_refresh_token cookie left makes the server serve the shell
    wait_for_sign_in(page, "/app")


def test_sign_out(signed_in):
    page = signed_in
    page.goto("/app")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin$"))
    assert cookie(page, "access_token_cookie") is None
    page.goto("/app")
    wait_for_sign_in(page, "/app")


@pytest.fixture
def mail_on(live_server, mailbox):
    """The live server sends its mail to the test SMTP server; the mailbox."""
    live_server.app.config.update(mail_settings(mailbox))
    return mailbox


def test_forgot_password_mail_reset_page_then_sign_in(page, mail_on):
    account = register(page)
    page.context.clear_cookies()
    page.goto("/signin")
    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    page.get_by_label("Email").fill(account.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status").filter(has_text="we sent it a link")).to_be_visible()

    [mail] = [m for m in mail_on.to(account.email) if m["Subject"] == "Choose a new password"]
    page.goto(link_in(mail, "/reset-password"))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.locator("#reset-password-error")).to_have_text("Use at least 10 characters.")
    page.get_by_label("New password").fill("a fresh and unusual passphrase")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("Your new password is saved")).to_be_visible()
    assert "token" not in page.url  # the spent link leaves the address bar

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill("a fresh and unusual passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/app$"))


def test_a_used_reset_link_says_so_and_offers_a_new_one(page, mail_on):
    account = register(page)
    page.request.post("/api/v1/auth/password/forgot", data={"email": account.email})
    link = link_in(mail_on.to(account.email)[-1], "/reset-password")
    page.request.post("/api/v1/auth/password/reset", data={
        "token": link.split("token=")[1], "new_password": "a fresh and unusual passphrase"})
    page.goto(link)
    page.get_by_label("New password").fill("another unusual passphrase")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("alert")).to_have_text(
        "This link has expired or was already used; ask for a new one.")
    page.get_by_role("link", name="Ask for a new link").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()


START = datetime(2026, 3, 2, 9, 0, 15)


def turn_on_two_factor(page):
    """Two-factor sign-in on for `page`'s account, the clock at START (monkeypatched by the
    caller): `(secret, recovery codes)`."""
    secret = call_api(page, "POST", "/auth/2fa/setup")["secret"]
    enabled = call_api(page, "POST", "/auth/2fa/enable", {"code": code_at(secret, START)})
    return secret, enabled["recovery_codes"]


def sign_in_with_password(page, account):
    page.context.clear_cookies()
    page.goto("/signin")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_asks_for_the_code_when_two_factor_is_on(page, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: START)
    account = register(page)
    secret, _ = turn_on_two_factor(page)
    code_field = page.get_by_label("Code from your authenticator app")
    sign_in_with_password(page, account)
    expect(code_field).to_be_focused()
    expect(page.get_by_text("Two-factor sign-in is on for this account.")).to_be_visible()
    expect(page.get_by_role("alert")).to_be_hidden()  # asked for, not an error yet

    code_field.fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-otp-error")).to_have_text("Wrong, expired or already used code.")
    later = START + timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    code_field.fill(code_at(secret, later))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/app$"))


def test_the_code_field_is_only_there_when_asked_for(page):
    page.goto("/signin")
    expect(page.get_by_label("Code from your authenticator app")).to_be_hidden()
    expect(page.get_by_label("Code from your authenticator app")).to_be_disabled()


def test_sign_in_with_a_recovery_code(page, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: START)
    account = register(page)
    _, recovery_codes = turn_on_two_factor(page)
    sign_in_with_password(page, account)
    page.get_by_label("Code from your authenticator app").fill(recovery_codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/app$"))


def test_the_verification_link_lands_on_a_page_that_confirms(page, mail_on):
    account = register(page, verified=False)
    link = link_in(mail_on.only(account.email), "/verify-email")
    page.goto(link)
    expect(page.locator("#verify-status")).to_have_text(
        f"Thank you: {account.email} is confirmed as your address.")
    assert "token" not in page.url
    page.get_by_role("link", name="Go to your portfolios").click()
    expect(page).to_have_url(re.compile(r"/app$"))
    # The same link again: spent.
    page.goto(link)
    expect(page.get_by_role("alert")).to_have_text(
        "This link has expired or was already used; ask for a new one.")
    expect(page.get_by_role("link", name="account page")).to_be_visible()
