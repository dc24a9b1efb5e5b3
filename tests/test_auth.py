"""Accounts and JWT auth, per the contract's /api/v1/auth table."""
import io
import json
import time
import zipfile

import pytest

from app.models import AccountToken, User
from app.services.passwords import verify_password

from .conftest import PASSWORD, bearer
from .mail_server import (  # noqa: F401 (fixtures)
    app_sending_mail, mail_settings, mailbox, smtp_server, text_of, token_in,
)

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"


def login(client, email, password=PASSWORD):
    return client.post(LOGIN, json={"email": email, "password": password})


def test_register_returns_user_and_tokens(client):
    response = client.post(REGISTER, json={
        "email": "  Ada@Example.COM ", "password": PASSWORD, "full_name": "Ada Lovelace"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["user"]["email"] == "ada@example.com"
    assert body["user"]["full_name"] == "Ada Lovelace"
    assert body["user"]["created_at"].endswith("Z")
    assert body["access_token"] and body["refresh_token"]
    stored = User.objects.get(email="ada@example.com")
    assert stored.password_hash.startswith("$argon2id$")
    assert verify_password(stored.password_hash, PASSWORD)


def test_email_is_unique_case_insensitively(client, register):
    register(email="grace@example.com")
    response = client.post(REGISTER, json={
        "email": "GRACE@example.com", "password": PASSWORD, "full_name": "Grace"})
    assert response.status_code == 409
    assert response.get_json()["errors"] == {"email": ["Already registered."]}
    assert User.objects(email="grace@example.com").count() == 1


@pytest.mark.parametrize("password, reason", [
    ("short1!", "10 to 128"),
    ("x" * 129, "10 to 128"),
    ("password123", "too common"),
    ("qwertyuiop", "too common"),
    ("aaaaaaaaaaaa", "repetitive"),
    ("linus@example.com", "email"),
])
def test_password_rules(client, password, reason):
    response = client.post(REGISTER, json={
        "email": "linus@example.com", "password": password, "full_name": "Linus"})
    assert response.status_code == 422
    body = response.get_json()
    assert reason in body["message"]
    assert "password" in body["errors"]
    assert User.objects.count() == 0


@pytest.mark.parametrize("body, field", [
    ({"email": "not-an-email", "password": PASSWORD, "full_name": "X"}, "email"),
    ({"email": "a" * 250 + "@x.io", "password": PASSWORD, "full_name": "X"}, "email"),
    ({"email": {"$ne": None}, "password": PASSWORD, "full_name": "X"}, "email"),
    ({"email": "a@example.com", "password": {"$gt": ""}, "full_name": "X"}, "password"),
    ({"email": "a@example.com", "password": PASSWORD}, "full_name"),
    ({"email": "a@example.com", "password": PASSWORD, "full_name": "X", "is_admin": True},
     "is_admin"),
])
def test_register_refuses_bad_input(client, body, field):
    response = client.post(REGISTER, json=body)
    assert response.status_code == 422
    payload = response.get_json()
    assert payload["code"] == 422 and payload["status"] == "Unprocessable Entity"
    assert field in payload["errors"]
    assert User.objects.count() == 0


def test_login_with_operator_injection_is_refused(client, register):
    register(email="victim@example.com")
    response = client.post(LOGIN, json={"email": "victim@example.com", "password": {"$ne": None}})
    assert response.status_code == 422
    response = client.post(LOGIN, json={"email": {"$regex": ".*"}, "password": PASSWORD})
    assert response.status_code == 422


def test_login_and_me(client, register):
    register(email="mary@example.com", full_name="Mary Somerville")
    response = login(client, "MARY@example.com")
    assert response.status_code == 200
    body = response.get_json()
    me = client.get(ME, headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.get_json()["full_name"] == "Mary Somerville"
    assert me.get_json()["last_login_at"].endswith("Z")


def test_wrong_password_and_unknown_email_look_the_same(client, register):
    register(email="known@example.com")
    wrong = login(client, "known@example.com", "wrong password 123")
    unknown = login(client, "nobody@example.com", "wrong password 123")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def test_login_timing_is_the_same_for_unknown_email(client, register):
    register(email="timed@example.com")

    def cost(email):
        start = time.perf_counter()
        for _ in range(3):
            login(client, email, "wrong password 123")
        return time.perf_counter() - start

    known, unknown = cost("timed@example.com"), cost("nobody@example.com")
    # Both verify one argon2 hash; without the dummy hash, unknown would be ~100x cheaper.
    assert unknown > known * 0.5


def test_me_requires_a_token(client):
    response = client.get(ME)
    assert response.status_code == 401
    assert response.get_json()["code"] == 401
    assert client.get(ME, headers=bearer("garbage")).status_code == 401


def test_refresh_token_is_not_an_access_token(client, register):
    account = register()
    assert client.get(ME, headers=bearer(account["refresh_token"])).status_code == 401
    assert client.post(REFRESH, headers=bearer(account["access_token"])).status_code == 401


def test_refresh_rotates_and_reuse_revokes_the_family(client, register):
    account = register()
    first = client.post(REFRESH, headers=bearer(account["refresh_token"]))
    assert first.status_code == 200
    rotated = first.get_json()
    assert rotated["refresh_token"] != account["refresh_token"]
    assert client.get(ME, headers=bearer(rotated["access_token"])).status_code == 200

    # The old refresh token is spent: presenting it again is theft.
    replay = client.post(REFRESH, headers=bearer(account["refresh_token"]))
    assert replay.status_code == 401
    assert "already used" in replay.get_json()["message"]
    # ...and the whole family is revoked, including the legitimately rotated tokens.
    assert client.post(REFRESH, headers=bearer(rotated["refresh_token"])).status_code == 401
    assert client.get(ME, headers=bearer(rotated["access_token"])).status_code == 401


def test_logout_revokes_access_and_refresh_tokens(client, register):
    account = register()
    response = client.post(LOGOUT, headers=bearer(account["access_token"]),
                           json={"refresh_token": account["refresh_token"]})
    assert response.status_code == 204
    assert client.get(ME, headers=bearer(account["access_token"])).status_code == 401
    assert client.post(REFRESH, headers=bearer(account["refresh_token"])).status_code == 401


def test_logout_leaves_other_devices_signed_in(client, register):
    account = register(email="two-devices@example.com")
    other = login(client, "two-devices@example.com").get_json()
    client.post(LOGOUT, headers=bearer(account["access_token"]))
    assert client.get(ME, headers=bearer(other["access_token"])).status_code == 200


def test_revocation_survives_a_restart(make_app, register, client):
    account = register()
    client.post(LOGOUT, headers=bearer(account["access_token"]))
    restarted = make_app().test_client()  # a second app server / a restart
    assert restarted.get(ME, headers=bearer(account["access_token"])).status_code == 401


def test_password_change_revokes_every_other_session(client, register):
    account = register(email="pw@example.com")
    other = login(client, "pw@example.com").get_json()
    response = client.post("/api/v1/auth/password", headers=bearer(account["access_token"]),
                           json={"current_password": PASSWORD,
                                 "new_password": "a brand new passphrase"})
    assert response.status_code == 204
    assert client.get(ME, headers=bearer(account["access_token"])).status_code == 200
    assert client.get(ME, headers=bearer(other["access_token"])).status_code == 401
    assert client.post(REFRESH, headers=bearer(other["refresh_token"])).status_code == 401
    assert login(client, "pw@example.com").status_code == 401
    assert login(client, "pw@example.com", "a brand new passphrase").status_code == 200


def test_password_change_checks_current_and_new(auth_client):
    wrong = auth_client.post("/api/v1/auth/password", json={
        "current_password": "not my password", "new_password": "a brand new passphrase"})
    assert wrong.status_code == 403
    weak = auth_client.post("/api/v1/auth/password", json={
        "current_password": PASSWORD, "new_password": "password1"})
    assert weak.status_code == 422
    assert "new_password" in weak.get_json()["errors"]


def test_patch_me(auth_client):
    response = auth_client.patch(ME, json={"full_name": "  Ada King  ",
                                           "photo_url": "https://example.com/a.png"})
    assert response.status_code == 200
    assert response.get_json()["full_name"] == "Ada King"
    assert auth_client.patch(ME, json={"email": "x@example.com"}).status_code == 422
    assert auth_client.patch(ME, json={"photo_url": "javascript:alert(1)"}).status_code == 422
    assert auth_client.patch(ME, json={"full_name": ""}).status_code == 422


def test_delete_me_needs_the_password_and_removes_the_account(auth_client):
    assert auth_client.delete(ME, json={"password": "wrong password!"}).status_code == 403
    auth_client.post("/api/v1/auth/password/forgot", json={"email": auth_client.user["email"]})
    assert auth_client.delete(ME, json={"password": PASSWORD}).status_code == 204
    assert User.objects.count() == 0
    assert AccountToken.objects.count() == 0  # the mailed links went with the account
    assert auth_client.get(ME).status_code == 401


def test_login_is_rate_limited_per_account(make_app, register):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_PER_ACCOUNT="3/minute",
                   RATELIMIT_LOGIN_PER_IP="100/minute")
    client = app.test_client()
    client.post(REGISTER, json={"email": "rl@example.com", "password": PASSWORD,
                                "full_name": "Rate"})
    statuses = [login(client, "rl@example.com", "wrong password 123").status_code
                for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited = login(client, "rl@example.com", "wrong password 123")
    assert limited.get_json()["code"] == 429
    assert int(limited.headers["Retry-After"]) > 0
    # Another account from the same address is not blocked by this one's limit.
    assert login(client, "other@example.com", "wrong password 123").status_code == 401


def test_register_is_rate_limited_per_ip(make_app):
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_REGISTER_PER_IP="2/hour").test_client()
    statuses = [client.post(REGISTER, json={"email": f"r{i}@example.com", "password": PASSWORD,
                                            "full_name": "R"}).status_code for i in range(3)]
    assert statuses == [201, 201, 429]


def test_delete_me_without_the_password_is_422(auth_client):
    response = auth_client.delete(ME, json={})
    assert response.status_code == 422
    assert "password" in response.get_json()["errors"]
    # `confirm` is for accounts without a password; it does not replace an existing one.
    assert auth_client.delete(ME, json={"confirm": "DELETE"}).status_code == 422
    assert User.objects.count() == 1


def _export(client):
    response = client.get(f"{ME}/export")
    assert response.status_code == 200, response.get_json()
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return response, archive, json.loads(archive.read("user.json"))


def test_export_is_a_zip_with_the_user_and_no_password_hash(auth_client):
    response, archive, user = _export(auth_client)
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    # user.json first, then each data area's file (app/services/accounts.py ACCOUNT_EXPORTERS).
    assert archive.namelist()[0] == "user.json"
    assert set(archive.namelist()) == {"user.json", "ai_usage.json", "notifications.json"}
    assert user["id"] == auth_client.user["id"]
    assert user["email"] == auth_client.user["email"]
    assert user["oauth_identities"] == []
    assert "password_hash" not in user
    assert all("$argon2" not in archive.read(name).decode() for name in archive.namelist())


def test_export_includes_what_each_area_contributes(auth_client, monkeypatch):
    from app.services import accounts

    def portfolio_exporter(user, archive):
        archive.writestr("portfolios/list.json", f'["of {user.email}"]')

    monkeypatch.setattr(accounts, "ACCOUNT_EXPORTERS", [portfolio_exporter])
    _, archive, _ = _export(auth_client)
    assert archive.namelist() == ["user.json", "portfolios/list.json"]
    assert archive.read("portfolios/list.json").decode() == f'["of {auth_client.user["email"]}"]'


def test_export_requires_a_token(client):
    assert client.get(f"{ME}/export").status_code == 401


def test_login_still_works_when_the_rate_limit_storage_is_down(make_app, register):
    register(email="outage@example.com")
    client = make_app(RATELIMIT_ENABLED=True,
                      RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0").test_client()
    assert login(client, "outage@example.com").status_code == 200


# --- email verification ----------------------------------------------------------------------

VERIFY = "/api/v1/auth/verify-email"


def verification_token(mailbox, email):
    return token_in(mailbox.to(email)[-1], "/verify-email")


def new_link(client, headers=None):
    portfolio = client.post("/api/v1/portfolios/", json={"title": "CV"}, headers=headers)
    return client.post(f"/api/v1/portfolios/{portfolio.get_json()['id']}/recruiter-links/",
                       json={"label": "Acme"}, headers=headers)


def test_registration_mails_a_link_that_verifies_the_address(client, register, mailbox):
    account = register(email="ada@example.com", verified=False)
    assert account["user"]["email_verified"] is False
    message = mailbox.only("ada@example.com")
    assert message["Subject"] == "Confirm your email address"
    assert "works for 2 days" in text_of(message)
    headers = bearer(account["access_token"])
    assert client.get(ME, headers=headers).get_json()["email_verified"] is False

    verified = client.post(VERIFY, json={"token": verification_token(mailbox, "ada@example.com")})
    assert verified.status_code == 200
    assert verified.get_json() == {"email": "ada@example.com", "email_verified": True}
    assert client.get(ME, headers=headers).get_json()["email_verified"] is True


def test_an_unverified_account_cannot_create_recruiter_links(client, register, mailbox):
    """The one thing an unverified account may not do (app/services/accounts.py)."""
    account = register(email="ada@example.com", verified=False)
    headers = bearer(account["access_token"])
    refused = new_link(client, headers)
    assert refused.status_code == 403
    assert "Verify your email address first" in refused.get_json()["message"]
    client.post(VERIFY, json={"token": verification_token(mailbox, "ada@example.com")})
    assert new_link(client, headers).status_code == 201


def test_without_email_verification_nothing_waits_for_it(make_app, mailbox):
    client = make_app(**mail_settings(mailbox), EMAIL_VERIFICATION_ENABLED=False).test_client()
    account = client.post(REGISTER, json={"email": "ada@example.com", "password": PASSWORD,
                                          "full_name": "Ada"}).get_json()
    assert mailbox.messages == []
    assert new_link(client, bearer(account["access_token"])).status_code == 201
    assert client.post(VERIFY, json={"token": "x"}).status_code == 404


def test_a_verification_link_works_once_and_expires(client, register, mailbox, monkeypatch):
    from datetime import timedelta

    from app.models.user import utcnow
    from app.services import clock
    register(email="ada@example.com", verified=False)
    first = verification_token(mailbox, "ada@example.com")
    assert client.post(VERIFY, json={"token": first}).status_code == 200
    again = client.post(VERIFY, json={"token": first})
    assert again.status_code == 410 and "token" in again.get_json()["errors"]

    register(email="grace@example.com", verified=False)
    late = verification_token(mailbox, "grace@example.com")
    monkeypatch.setattr(clock, "now", lambda: utcnow() + timedelta(days=2, minutes=1))
    assert client.post(VERIFY, json={"token": late}).status_code == 410
    assert User.objects.get(email="grace@example.com").email_verified_at is None


def test_a_new_link_can_be_asked_for_rate_limited(make_app, mailbox):
    client = make_app(**mail_settings(mailbox), RATELIMIT_ENABLED=True,
                      RATELIMIT_MAIL_PER_ACCOUNT="2/hour").test_client()
    account = client.post(REGISTER, json={"email": "ada@example.com", "password": PASSWORD,
                                          "full_name": "Ada"}).get_json()
    headers = bearer(account["access_token"])
    resend = "/api/v1/auth/verify-email/resend"
    assert [client.post(resend, headers=headers).status_code for _ in range(3)] == [
        202, 202, 429]
    received = mailbox.to("ada@example.com")
    assert len(received) == 3  # at registration, then twice
    # Every link sent works (the first one used voids the others).
    assert client.post(VERIFY, json={"token": token_in(received[1], "/verify-email")}
                       ).status_code == 200
    assert client.post(VERIFY, json={"token": token_in(received[2], "/verify-email")}
                       ).status_code == 410


def test_a_verified_address_needs_no_new_link(auth_client):
    response = auth_client.post("/api/v1/auth/verify-email/resend")
    assert response.status_code == 409


def test_accounts_made_with_a_verified_provider_address_are_verified():
    from app.services import oauth
    user = oauth.find_or_create_user(oauth.ProviderIdentity(
        provider="google", subject="g-9", email="ada@example.com", email_verified=True,
        full_name="Ada"))
    assert user.email_verified


# --- change of address -----------------------------------------------------------------------

CHANGE = "/api/v1/auth/email"


def test_a_new_address_is_confirmed_by_a_link_to_it_and_the_old_one_is_told(
        client, auth_client, mailbox):
    old = auth_client.user["email"]
    mailbox.clear()
    asked = auth_client.post(CHANGE, json={"email": "New@Example.com", "password": PASSWORD})
    assert asked.status_code == 202
    assert auth_client.get(ME).get_json()["email"] == old  # not before the link is opened
    message = mailbox.only("new@example.com")
    assert message["Subject"] == "Confirm your new email address"
    assert mailbox.to(old) == []

    moved = client.post(VERIFY, json={"token": token_in(message, "/verify-email")})
    assert moved.status_code == 200
    assert moved.get_json() == {"email": "new@example.com", "email_verified": True}
    assert auth_client.get(ME).get_json()["email"] == "new@example.com"
    told = mailbox.only(old)
    assert told["Subject"] == "Your email address was changed"
    assert "new@example.com" in text_of(told)
    assert login(client, "new@example.com").status_code == 200
    assert login(client, old).status_code == 401


def test_a_change_of_address_needs_the_password_and_a_free_address(
        auth_client, register, mailbox):
    register(email="taken@example.com")
    mailbox.clear()
    wrong = auth_client.post(CHANGE, json={"email": "new@example.com", "password": "nope nope 1"})
    assert wrong.status_code == 403 and "password" in wrong.get_json()["errors"]
    taken = auth_client.post(CHANGE, json={"email": "taken@example.com", "password": PASSWORD})
    assert taken.status_code == 409 and "email" in taken.get_json()["errors"]
    same = auth_client.post(CHANGE, json={"email": auth_client.user["email"],
                                          "password": PASSWORD})
    assert same.status_code == 422
    assert mailbox.messages == []


def test_an_address_taken_meanwhile_is_refused_and_links_to_the_old_address_die(
        client, auth_client, register, mailbox):
    old = auth_client.user["email"]
    auth_client.post(CHANGE, json={"email": "new@example.com", "password": PASSWORD})
    token = token_in(mailbox.only("new@example.com"), "/verify-email")
    register(email="new@example.com")
    refused = client.post(VERIFY, json={"token": token})
    assert refused.status_code == 409
    assert auth_client.get(ME).get_json()["email"] == old

    # A reset link sent to the old address stops working once the account moved.
    auth_client.post(CHANGE, json={"email": "newer@example.com", "password": PASSWORD})
    client.post("/api/v1/auth/password/forgot", json={"email": old})
    reset = token_in(mailbox.to(old)[-1], "/reset-password")
    client.post(VERIFY, json={"token": token_in(mailbox.only("newer@example.com"),
                                                "/verify-email")})
    assert client.post("/api/v1/auth/password/reset", json={
        "token": reset, "new_password": "a brand new passphrase"}).status_code == 410


def test_the_user_shows_the_account_features(auth_client):
    me = auth_client.get(ME).get_json()
    assert me["email_verified"] is True
    assert me["two_factor_enabled"] is False and me["recovery_codes_left"] == 0
    assert me["mail_notifications"] == []
