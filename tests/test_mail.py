"""Outgoing mail through a real SMTP server (aiosmtpd): the message, the Celery task's retries,
development without a server, and production's start-up check."""
from datetime import timedelta
from email import message_from_bytes, policy

import pytest

from app import create_app
from app.services import mail
from config import Config

from .conftest import PASSWORD
from .mail_server import (  # noqa: F401 (fixtures)
    free_port, html_of, link_in, mail_settings, mailbox, smtp_server, text_of,
)

PUBLIC = "https://vitrine.example.com"


def a_mail():
    return mail.compose("ada@example.com", "Hello", "verify_email", "en",
                        user={"full_name": "Ada", "email": "ada@example.com"},
                        link="https://vitrine.example.com/verify-email?token=t",
                        valid_for=timedelta(hours=1))


def test_a_mail_is_plain_text_and_html_with_links_on_the_public_address(make_app, mailbox):
    app = make_app(**mail_settings(mailbox), PUBLIC_BASE_URL=PUBLIC,
                   MAIL_DEFAULT_SENDER="Vitrine <hello@vitrine.example.com>")
    response = app.test_client().post("/api/v1/auth/register", json={
        "email": "ada@example.com", "password": "correct horse battery staple",
        "full_name": "Ada <b>Lovelace</b>"}, headers={"Host": "other.example"})
    assert response.status_code == 201
    message = mailbox.only("ada@example.com")
    assert message["From"] == "Vitrine <hello@vitrine.example.com>"
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Confirm your email address"
    assert message["Message-ID"].endswith("@vitrine.example.com>")
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain", "text/html"]
    # Built on PUBLIC_BASE_URL, not on the Host the request came with.
    assert link_in(message, "/verify-email").startswith(f"{PUBLIC}/verify-email?token=")
    assert "Hello Ada <b>Lovelace</b>," in text_of(message)
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in html_of(message)  # escaped in HTML


def test_a_new_account_gets_its_mail_in_the_language_the_app_was_in(make_app, mailbox):
    """At sign-up the account has no language yet: the one the app was showing, from the
    header switch's cookie or Accept-Language."""
    browser = make_app(**mail_settings(mailbox)).test_client()
    assert browser.post("/api/v1/auth/register", headers={"Accept-Language": "fr-FR,fr;q=0.9"},
                        json={"email": "camille@example.com", "password": PASSWORD,
                              "full_name": "Camille"}).status_code == 201
    message = mailbox.only("camille@example.com")
    assert message["Subject"] == "Confirmez votre adresse e-mail"
    text = text_of(message)
    assert text.startswith("Bonjour Camille,\r\n\r\nBienvenue sur Vitrine. Confirmez que "
                           "camille@example.com est bien votre adresse\u00a0: ")
    assert "Confirmer mon adresse\u00a0:" in text and "Le lien est valable 2\u00a0jours." in text
    assert "Vous recevez cet e-mail en raison de votre compte sur Vitrine." in text
    html = html_of(message)
    assert '<html lang="fr">' in html and ">Confirmer mon adresse</a>" in html
    assert "Ou copiez cette adresse dans votre navigateur\u00a0:" in html
    for english in ("Hello", "Confirm my", "The link works", "You receive", "Or copy"):
        assert english not in text and english not in html, english
    assert link_in(message, "/verify-email")

    browser.set_cookie("vitrine-language", "es")  # the switch wins over Accept-Language
    browser.post("/api/v1/auth/register", headers={"Accept-Language": "fr"}, json={
        "email": "lucia@example.com", "password": PASSWORD, "full_name": "Lucía"})
    assert mailbox.only("lucia@example.com")["Subject"] == (
        "Confirma tu dirección de correo")


def test_an_account_gets_its_mail_in_its_own_language(make_app, mailbox):
    """The account's setting, whatever the browser asking says."""
    client = make_app(**mail_settings(mailbox)).test_client()
    account = client.post("/api/v1/auth/register", json={
        "email": "jonas@example.com", "password": PASSWORD, "full_name": "Jonas"}).get_json()
    headers = {"Authorization": f"Bearer {account['access_token']}"}
    assert client.patch("/api/v1/auth/me", json={"language": "de"},
                        headers=headers).status_code == 200
    mailbox.clear()
    assert client.post("/api/v1/auth/verify-email/resend", headers={
        **headers, "Accept-Language": "fr"}).status_code == 202
    message = mailbox.only(account["user"]["email"])
    assert message["Subject"] == "Bestätigen Sie Ihre E-Mail-Adresse"
    text = text_of(message)
    assert text.startswith("Hallo Jonas,") and "Der Link ist 2 Tage gültig." in text
    assert "Meine Adresse bestätigen:" in text
    assert '<html lang="de">' in html_of(message)
    assert link_in(message, "/verify-email")


def test_the_task_is_retried_while_the_server_says_try_later(make_app, mailbox):
    from app.tasks import send_mail
    # The tests' Celery raises task errors at once; a worker retries them.
    app = make_app(**mail_settings(mailbox),
                   CELERY={**Config.CELERY, "task_eager_propagates": False})
    with app.app_context():
        mailbox.refuse(2, "421 4.3.2 Try again later")
        assert send_mail.apply(args=(a_mail(),)).state == "SUCCESS"
    assert mailbox.attempts == 3
    assert mailbox.only("ada@example.com")["Subject"] == "Hello"


def test_the_task_gives_up_after_its_retries(make_app, mailbox):
    from app.tasks import send_mail
    app = make_app(**mail_settings(mailbox),
                   CELERY={**Config.CELERY, "task_eager_propagates": False})
    with app.app_context():
        mailbox.refuse(100, "421 4.3.2 Try again later")
        result = send_mail.apply(args=(a_mail(),))
    assert result.state == "FAILURE"
    assert isinstance(result.result, mail.MailServerUnavailable)
    assert mailbox.attempts == 1 + send_mail.max_retries
    assert not mailbox.messages


def test_an_unreachable_server_is_worth_retrying(make_app):
    from app.tasks import send_mail
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT_SECONDS=2)
    with app.app_context(), pytest.raises(mail.MailServerUnavailable, match="refused"):
        mail.deliver(a_mail())
    assert mail.MailServerUnavailable in send_mail.autoretry_for


def test_a_permanent_refusal_is_not_retried(make_app, mailbox, caplog):
    from app.tasks import send_mail
    app = make_app(**mail_settings(mailbox),
                   CELERY={**Config.CELERY, "task_eager_propagates": False})
    with app.app_context():
        mailbox.refuse(1, "550 5.1.1 No such mailbox")
        assert send_mail.apply(args=(a_mail(),)).state == "SUCCESS"
    assert mailbox.attempts == 1
    assert "refused by the server for good" in caplog.text


def test_a_mail_that_cannot_be_sent_does_not_fail_the_request(make_app, caplog):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    response = app.test_client().post("/api/v1/auth/register", json={
        "email": "ada@example.com", "password": "correct horse battery staple",
        "full_name": "Ada"})
    assert response.status_code == 201
    assert "mail 'Confirm your email address' to ada@example.com not sent" in caplog.text


def test_without_a_server_development_logs_and_keeps_each_mail(make_app, tmp_path, caplog):
    app = make_app(MAIL_SERVER="", MAIL_OUTBOX_DIR=str(tmp_path / "mail"))
    app.test_client().post("/api/v1/auth/register", json={
        "email": "ada@example.com", "password": "correct horse battery staple",
        "full_name": "Ada"})
    [kept] = (tmp_path / "mail").glob("*.eml")
    message = message_from_bytes(kept.read_bytes(), policy=policy.default)
    assert message["To"] == "ada@example.com"
    link = link_in(message, "/verify-email")
    assert "MAIL_SERVER is not set: mail not sent" in caplog.text
    assert link in caplog.text  # `make run` shows the link in its log


def production(**settings):
    return type("Production", (Config,), {
        "APP_ENV": "production", "SECRET_KEY": "s" * 40, "JWT_SECRET_KEY": "j" * 40,
        "PUBLIC_BASE_URL": PUBLIC, "MAIL_SERVER": "", **settings})


def test_production_refuses_to_start_without_a_mail_server_naming_the_features():
    with pytest.raises(RuntimeError) as refused:
        create_app(production())
    assert str(refused.value).startswith(
        "MAIL_SERVER must be set in production: EMAIL_VERIFICATION_ENABLED, "
        "PASSWORD_RESET_ENABLED, MAIL_NOTIFICATIONS_ENABLED send mail")
    with pytest.raises(RuntimeError, match="MAIL_NOTIFICATIONS_ENABLED sends mail"):
        production(EMAIL_VERIFICATION_ENABLED=False, PASSWORD_RESET_ENABLED=False).validate()


def test_production_starts_without_a_mail_server_when_no_feature_needs_one():
    production(EMAIL_VERIFICATION_ENABLED=False, PASSWORD_RESET_ENABLED=False,
               MAIL_NOTIFICATIONS_ENABLED=False).validate()
    production(MAIL_SERVER="smtp.example.com").validate()
