"""The account page: name, email address, password, two-factor sign-in, notification mails,
export, sign out everywhere, delete. Mails go through a real SMTP server."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.services import clock

from ..conftest import PASSWORD
from ..mail_server import link_in, mail_settings, mailbox, smtp_server  # noqa: F401 (fixtures)
from ..test_two_factor import code_at
from .conftest import register
from .helpers import call_api, cookie, wait_for_sign_in
from .test_app_auth import START, turn_on_two_factor


def test_change_the_name(signed_in):
    page = signed_in
    page.goto("/app/account")
    expect(page.locator("#account-email")).to_have_text(page.account.email)
    name = page.get_by_label("Full name")
    name.fill("")
    page.get_by_role("button", name="Save name").click()
    expect(page.locator("#account-name-error")).to_have_text("Enter your full name.")
    name.fill("Ada King")
    page.get_by_role("button", name="Save name").click()
    expect(page.locator("#toasts")).to_contain_text("Your name is saved.")
    expect(page.locator("#current-user")).to_have_text("Ada King")
    page.reload()
    expect(page.get_by_label("Full name")).to_have_value("Ada King")


def test_change_the_password(signed_in):
    page = signed_in
    page.goto("/app/account")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill("another long passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#current-password-error")).to_have_text("Incorrect password.")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#toasts")).to_contain_text("Password changed.")
    expect(page.get_by_label("Current password")).to_have_value("")
    login = page.request.post("/api/v1/auth/login", data={
        "email": page.account.email, "password": "another long passphrase"})
    assert login.ok


def test_export_downloads_a_zip(signed_in):
    page = signed_in
    page.goto("/app/account")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export my data").click()
    assert download.value.suggested_filename == "vitrine-export.zip"
    expect(page.locator("#toasts")).to_contain_text("Your export is downloading.")


def test_sign_out_everywhere(signed_in):
    page = signed_in
    other_device = page.request.post("/api/v1/auth/login", data={
        "email": page.account.email, "password": PASSWORD}).json()
    page.goto("/app/account")
    page.get_by_role("button", name="Sign out everywhere").click()
    page.get_by_role("dialog").get_by_role("button", name="Sign out everywhere").click()
    expect(page).to_have_url(re.compile(r"/signin$"))
    assert cookie(page, "access_token_cookie") is None
    me = page.request.get("/api/v1/auth/me",
                          headers={"Authorization": f"Bearer {other_device['access_token']}"})
    assert me.status == 401


def test_delete_the_account_with_the_password(signed_in):
    page = signed_in
    page.goto("/app/account")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#delete-password-error")).to_have_text("Enter your password to confirm.")
    page.get_by_label("Your password, to confirm").fill("wrong password")
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete my account").click()
    expect(page.locator("#delete-password-error")).to_have_text("Incorrect password.")

    page.get_by_label("Your password, to confirm").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete my account").click()
    expect(page).to_have_url(re.compile(r"/$"))
    assert cookie(page, "access_token_cookie") is None
    page.goto("/app/account")
    wait_for_sign_in(page, "/app/account")
    login = page.request.post("/api/v1/auth/login", data={
        "email": page.account.email, "password": PASSWORD})
    assert login.status == 401


@pytest.fixture
def mail_on(live_server, mailbox):
    live_server.app.config.update(mail_settings(mailbox))
    return mailbox


def test_set_up_two_factor_then_sign_in_with_a_code(signed_in, monkeypatch):
    page = signed_in
    monkeypatch.setattr(clock, "now", lambda: START)
    page.goto("/app/account")
    expect(page.locator("#two-factor-status")).to_contain_text("Off:")
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    qr = page.get_by_role("img", name="QR code holding the key for your authenticator app")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert page.evaluate("document.getElementById('two-factor-qr').naturalWidth") > 100
    secret = page.locator("#two-factor-secret").inner_text()
    expect(page.get_by_label("Code from the app", exact=True)).to_be_focused()

    page.get_by_label("Code from the app", exact=True).fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator("#two-factor-code-error")).to_have_text("Wrong or expired code.")
    page.get_by_label("Code from the app", exact=True).fill(code_at(secret, START))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_focused()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the codes").click()
    assert download.value.suggested_filename == "vitrine-recovery-codes.txt"
    first_code = codes.first.inner_text()
    assert first_code in open(download.value.path()).read()
    page.get_by_role("button", name="I have saved them").click()
    expect(page.locator("#two-factor-status")).to_contain_text("On:")
    expect(page.locator("#two-factor-status")).to_contain_text("10 recovery codes left.")
    expect(codes).to_have_count(0)

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/signin$"))
    page.get_by_label("Email").fill(page.account.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    later = START + timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    page.get_by_label("Code from your authenticator app").fill(code_at(secret, later))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/app$"))


def test_turn_two_factor_off(signed_in, monkeypatch):
    page = signed_in
    monkeypatch.setattr(clock, "now", lambda: START)
    secret, _ = turn_on_two_factor(page)
    page.goto("/app/account")
    expect(page.get_by_role("button", name="Set up two-factor sign-in")).to_be_hidden()
    form = page.locator("#two-factor-disable-form")
    form.get_by_label("Your password").fill(PASSWORD)
    later = START + timedelta(seconds=30)
    form.get_by_label("Code from the app, or a recovery code").fill(code_at(secret, later))
    monkeypatch.setattr(clock, "now", lambda: later)
    form.get_by_role("button", name="Turn off two-factor sign-in").click()
    expect(page.locator("#toasts")).to_contain_text("Two-factor sign-in is off.")
    expect(page.locator("#two-factor-status")).to_contain_text("Off:")
    expect(page.get_by_role("button", name="Set up two-factor sign-in")).to_be_visible()


def test_notification_mail_settings(signed_in):
    page = signed_in
    page.goto("/app/account")
    page.get_by_label("Daily digest").check()
    page.get_by_label("A link is about to expire").check()
    page.get_by_role("button", name="Save mail settings").click()
    expect(page.locator("#toasts")).to_contain_text("Your mail settings are saved.")
    assert call_api(page, "GET", "/auth/me")["mail_notifications"] == [
        "daily_digest", "recruiter_link_expiring"]
    page.reload()
    expect(page.get_by_label("Daily digest")).to_be_checked()
    expect(page.get_by_label("A recruiter opens a link")).not_to_be_checked()


def test_an_unconfirmed_address_is_said_and_a_new_link_sent(page, mail_on):
    page.account = register(page, verified=False)
    page.goto("/app/account")
    expect(page.locator("#email-unverified")).to_have_text("Not confirmed yet")
    expect(page.get_by_text("until then you cannot create recruiter links")).to_be_visible()
    expect(page.locator("#mails-need-address")).to_be_visible()
    page.get_by_role("button", name="Send the link again").click()
    expect(page.locator("#toasts")).to_contain_text(f"We sent a new link to {page.account.email}.")
    page.goto(link_in(mail_on.to(page.account.email)[-1], "/verify-email"))
    expect(page.locator("#verify-status")).to_contain_text("is confirmed")
    page.goto("/app/account")
    expect(page.locator("#email-verified")).to_have_text("Confirmed")
    expect(page.get_by_role("button", name="Send the link again")).to_be_hidden()


def test_change_the_address(signed_in, mail_on):
    page = signed_in
    old = page.account.email
    page.goto("/app/account")
    form = page.locator("#address-form")
    form.get_by_label("New email address").fill("grace@example.com")
    form.get_by_label("Your password").fill("not my password")
    form.get_by_role("button", name="Change address").click()
    expect(page.locator("#address-password-error")).to_have_text("Incorrect password.")
    form.get_by_label("Your password").fill(PASSWORD)
    form.get_by_role("button", name="Change address").click()
    expect(page.locator("#toasts")).to_contain_text("We sent a link to grace@example.com")
    expect(page.locator("#account-email")).to_have_text(old)
    page.goto(link_in(mail_on.only("grace@example.com"), "/verify-email"))
    expect(page.locator("#verify-status")).to_have_text(
        "Thank you: grace@example.com is confirmed as your address.")
    page.goto("/app/account")
    expect(page.locator("#account-email")).to_have_text("grace@example.com")
    assert mail_on.only(old)["Subject"] == "Your email address was changed"
