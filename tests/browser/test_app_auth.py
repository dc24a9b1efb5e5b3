"""Signing up, in and out in the browser; the session is out of the scripts' reach."""
import re

from playwright.sync_api import expect

from .conftest import register
from .helpers import cookie, wait_for_sign_in

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
