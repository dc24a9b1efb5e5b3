"""A forgotten password: the mailed link (through a real SMTP server), the new password, the
sessions it ends; no account enumeration, single use, expiry, rate limits."""
from datetime import timedelta

import pytest

from app.models import AccountToken, User
from app.models.user import utcnow
from app.services import clock, oauth
from app.services.passwords import secret_digest

from .conftest import PASSWORD, bearer
from .mail_server import (  # noqa: F401 (fixtures)
    app_sending_mail, html_of, mail_settings, mailbox, smtp_server, text_of, token_in,
)

FORGOT = "/api/v1/auth/password/forgot"
RESET = "/api/v1/auth/password/reset"
LOGIN = "/api/v1/auth/login"
NEW_PASSWORD = "a brand new passphrase"


def forgot(client, email):
    response = client.post(FORGOT, json={"email": email})
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def reset(client, token, new_password=NEW_PASSWORD):
    return client.post(RESET, json={"token": token, "new_password": new_password})


def reset_token(client, mailbox, email):
    forgot(client, email)
    return token_in(mailbox.to(email)[-1], "/reset-password")


def test_forgot_mails_a_link_that_sets_the_new_password(client, register, mailbox):
    account = register(email="ada@example.com")
    mailbox.clear()  # the verification mail
    forgot(client, "ADA@example.com ")
    message = mailbox.only("ada@example.com")
    assert message["Subject"] == "Choose a new password"
    assert "works once, for 1 hour" in text_of(message)
    token = token_in(message, "/reset-password")

    assert reset(client, token).status_code == 204
    assert client.post(LOGIN, json={"email": "ada@example.com",
                                    "password": NEW_PASSWORD}).status_code == 200
    assert client.post(LOGIN, json={"email": "ada@example.com",
                                    "password": PASSWORD}).status_code == 401
    assert account["user"]["id"] == str(User.objects.get(email="ada@example.com").id)


@pytest.mark.parametrize("language, subject, fragments", [
    ("fr", "Choisissez un nouveau mot de passe", (
        "Bonjour Ada Lovelace,", "Quelqu’un — vous, nous l’espérons — a demandé",
        "Choisissez un nouveau mot de passe\u00a0:",
        "Le lien ne sert qu’une fois, pendant 1\u00a0heure.")),
    ("de", "Wählen Sie ein neues Passwort", (
        "Hallo Ada Lovelace,", "Jemand – hoffentlich Sie – hat ein neues Passwort",
        "Wählen Sie ein neues Passwort:", "ist 1 Stunde gültig.")),
])
def test_the_reset_mail_is_in_the_accounts_language(client, register, mailbox, language,
                                                    subject, fragments):
    account = register(email="ada@example.com")
    assert client.patch("/api/v1/auth/me", json={"language": language},
                        headers=bearer(account["access_token"])).status_code == 200
    mailbox.clear()
    forgot(client, "ada@example.com")
    message = mailbox.only("ada@example.com")
    assert message["Subject"] == subject
    for fragment in fragments:
        assert fragment in text_of(message), fragment
    assert f'<html lang="{language}">' in html_of(message)
    assert reset(client, token_in(message, "/reset-password")).status_code == 204


def test_an_account_without_a_language_gets_the_browsers(client, register, mailbox):
    register(email="ada@example.com")
    mailbox.clear()
    client.post(FORGOT, json={"email": "ada@example.com"}, headers={"Accept-Language": "es"})
    message = mailbox.only("ada@example.com")
    assert message["Subject"] == "Elige una contraseña nueva"
    assert "El enlace funciona una sola vez, durante 1 hora." in text_of(message)


def test_the_answer_is_the_same_and_no_mail_goes_out_for_an_unknown_address(
        client, register, mailbox):
    register(email="known@example.com")
    mailbox.clear()  # the verification mail
    known = client.post(FORGOT, json={"email": "known@example.com"})
    unknown = client.post(FORGOT, json={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()
    assert known.headers.get("Content-Length") == unknown.headers.get("Content-Length")
    assert [message["To"] for message in mailbox.messages] == ["known@example.com"]
    assert AccountToken.objects(purpose="reset_password").count() == 1


def test_a_reset_ends_every_session_opened_before(client, register, mailbox):
    first = register(email="ada@example.com")
    second = client.post(LOGIN, json={"email": "ada@example.com", "password": PASSWORD}).get_json()
    token = reset_token(client, mailbox, "ada@example.com")
    assert reset(client, token).status_code == 204
    for session in (first, second):
        assert client.get("/api/v1/auth/me",
                          headers=bearer(session["access_token"])).status_code == 401
        assert client.post("/api/v1/auth/refresh",
                           headers=bearer(session["refresh_token"])).status_code == 401
    after = client.post(LOGIN, json={"email": "ada@example.com", "password": NEW_PASSWORD})
    assert client.get("/api/v1/auth/me",
                      headers=bearer(after.get_json()["access_token"])).status_code == 200


def test_a_link_works_once(client, register, mailbox):
    register(email="ada@example.com")
    token = reset_token(client, mailbox, "ada@example.com")
    assert reset(client, token).status_code == 204
    again = client.post(RESET, json={"token": token, "new_password": "yet another passphrase"})
    assert again.status_code == 410
    body = again.get_json()
    assert body["code"] == 410 and body["status"] == "Gone"
    assert "expired or was already used" in body["message"]
    assert "token" in body["errors"]
    assert client.post(LOGIN, json={"email": "ada@example.com",
                                    "password": NEW_PASSWORD}).status_code == 200


def test_a_link_expires_after_one_hour(client, register, mailbox, monkeypatch):
    register(email="ada@example.com")
    token = reset_token(client, mailbox, "ada@example.com")
    issued = utcnow()
    monkeypatch.setattr(clock, "now", lambda: issued + timedelta(minutes=59))
    assert client.post(RESET, json={"token": token, "new_password": "x"}).status_code == 422
    monkeypatch.setattr(clock, "now", lambda: issued + timedelta(minutes=61))
    expired = client.post(RESET, json={"token": token, "new_password": NEW_PASSWORD})
    assert expired.status_code == 410
    assert client.post(LOGIN, json={"email": "ada@example.com",
                                    "password": PASSWORD}).status_code == 200


def test_the_password_rules_apply_and_leave_the_link_usable(client, register, mailbox):
    register(email="ada@example.com")
    token = reset_token(client, mailbox, "ada@example.com")
    for weak, reason in (("short", "10 to 128"), ("password123", "too common"),
                         ("ada@example.com", "email")):
        refused = client.post(RESET, json={"token": token, "new_password": weak})
        assert refused.status_code == 422
        assert reason in refused.get_json()["message"]
        assert "new_password" in refused.get_json()["errors"]
    assert reset(client, token).status_code == 204


def test_a_reset_voids_the_other_links_and_only_the_digest_is_stored(
        client, register, mailbox, test_database):
    register(email="ada@example.com")
    older = reset_token(client, mailbox, "ada@example.com")
    newer = reset_token(client, mailbox, "ada@example.com")
    stored = [token["token_hash"] for token in test_database.account_tokens.find()]
    assert secret_digest(older) in stored and older not in str(list(
        test_database.account_tokens.find()))
    assert reset(client, newer).status_code == 204
    assert client.post(RESET, json={"token": older,
                                    "new_password": "yet another passphrase"}).status_code == 410


@pytest.mark.parametrize("body, status", [
    ({"token": "made-up", "new_password": NEW_PASSWORD}, 410),
    ({"token": "", "new_password": NEW_PASSWORD}, 422),
    ({"token": "x" * 500, "new_password": NEW_PASSWORD}, 422),
    ({"token": {"$ne": None}, "new_password": NEW_PASSWORD}, 422),
    ({"new_password": NEW_PASSWORD}, 422),
])
def test_bad_tokens_are_refused_in_the_error_shape(client, body, status):
    response = client.post(RESET, json=body)
    assert response.status_code == status
    assert set(response.get_json()) >= {"code", "status", "message"}


def test_an_account_made_with_a_provider_sets_its_first_password(client, mailbox):
    user = oauth.find_or_create_user(oauth.ProviderIdentity(
        provider="google", subject="g-1", email="ada@example.com", email_verified=True,
        full_name="Ada"))
    assert user.password_hash is None
    token = reset_token(client, mailbox, "ada@example.com")
    assert "sets its first password" in text_of(mailbox.only("ada@example.com"))
    assert reset(client, token).status_code == 204
    login = client.post(LOGIN, json={"email": "ada@example.com", "password": NEW_PASSWORD})
    assert login.get_json()["user"]["has_password"] is True


def test_a_reset_proves_the_address(client, register, mailbox):
    register(email="ada@example.com", verified=False)
    token = reset_token(client, mailbox, "ada@example.com")
    client.post(RESET, json={"token": token, "new_password": NEW_PASSWORD})
    assert User.objects.get(email="ada@example.com").email_verified


def test_forgot_is_rate_limited_per_address(make_app, mailbox):
    app = make_app(**mail_settings(mailbox), RATELIMIT_ENABLED=True,
                   RATELIMIT_MAIL_PER_ACCOUNT="2/hour")
    client = app.test_client()
    client.post("/api/v1/auth/register", json={
        "email": "ada@example.com", "password": PASSWORD, "full_name": "Ada"})
    mailbox.clear()
    assert [client.post(FORGOT, json={"email": address}).status_code for address in (
        "ada@example.com", "ADA@example.com", "ada@example.com")] == [202, 202, 429]
    assert len(mailbox.to("ada@example.com")) == 2
    limited = client.post(FORGOT, json={"email": "ada@example.com"}).get_json()
    assert limited["code"] == 429 and limited["status"] == "Too Many Requests"
    # An unknown address is limited the same way: a 429 says nothing about accounts.
    assert [client.post(FORGOT, json={"email": "ghost@example.com"}).status_code
            for _ in range(3)] == [202, 202, 429]
    # Other addresses are not held up by these.
    assert client.post(FORGOT, json={"email": "grace@example.com"}).status_code == 202


def test_forgot_is_rate_limited_per_client(make_app, mailbox):
    client = make_app(**mail_settings(mailbox), RATELIMIT_ENABLED=True,
                      RATELIMIT_MAIL_PER_IP="3/hour").test_client()
    assert [client.post(FORGOT, json={"email": f"user{n}@example.com"}).status_code
            for n in range(4)] == [202, 202, 202, 429]


def test_the_feature_can_be_turned_off(make_app):
    client = make_app(PASSWORD_RESET_ENABLED=False).test_client()
    response = client.post(FORGOT, json={"email": "ada@example.com"})
    assert response.status_code == 404
    assert response.get_json()["message"] == "Password reset by email is turned off on this server."
