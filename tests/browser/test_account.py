"""The account page: name, password, export, sign out everywhere, delete."""
import re

from playwright.sync_api import expect

from ..conftest import PASSWORD
from .helpers import cookie, wait_for_sign_in


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
