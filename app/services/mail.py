"""Outgoing mail: composed from templates (plain text and HTML), queued for a Celery worker,
sent over SMTP with the standard library (smtplib, email.message).

    mail.send(user.email, N_("Confirm your email address"), "verify_email", language,
              user=user, link=mail.link("/verify-email", token=token))

renders app/templates/mail/verify_email.txt and .html in `language` and queues the message: the
subject (an English message, marked for extraction) and the templates' `_()` come from the
gettext catalogue of that language (app/catalogues.py), forced per mail, never the request's:
a mail is written in its recipient's language. The worker's
`vitrine.send_mail` task (app/tasks.py) delivers it with `deliver`, and is retried while the
SMTP server is unreachable or answers "try again later" (4xx). Where tasks run in the request
(no broker), a mail gets one attempt. Without MAIL_SERVER (development), `deliver` writes each
mail to the log and, as an .eml file, to MAIL_OUTBOX_DIR (instance/mail/) instead of sending it.

Links in mails are absolute, built on PUBLIC_BASE_URL (`link`): mails composed by a worker
have no request to take a host from.
"""
import logging
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from functools import lru_cache, partial
from pathlib import Path
from urllib.parse import urlencode

from babel.dates import format_timedelta
from flask import current_app, has_request_context, request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from ..catalogues import locale, page_language, translations
from ..models.languages import LANGUAGES
from ..models.user import utcnow
from .. import app_language

log = logging.getLogger(__name__)

SEND_MAIL_TASK = "vitrine.send_mail"
# Where `make run` serves the app, for links composed outside a request without PUBLIC_BASE_URL
# (development only: production requires PUBLIC_BASE_URL).
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


class MailServerUnavailable(Exception):
    """The SMTP server could not take the mail now; sending it again later may work."""


def link(path, **query):
    """The absolute URL of `path` (with `query`) on the public site."""
    base = current_app.config["PUBLIC_BASE_URL"] or (
        request.host_url if has_request_context() else DEVELOPMENT_BASE_URL)
    return base.rstrip("/") + path + (f"?{urlencode(query)}" if query else "")


def requester_language(user):
    """The language of what `user` asks for in this request (a mail: signing up, a reset link, a
    new address; the notifications' texts): the account's setting, else the language the app
    shows them (at sign-up, the one the app was in: the header switch's cookie, else
    Accept-Language), else English."""
    if user.language in LANGUAGES or not has_request_context():
        return page_language(user.language)
    # Not app_language.request_language(): its look for a signed-in account re-reads the JWT
    # from the cookies alone, which would sign a Bearer API request out; the account has no
    # language here anyway.
    return page_language(app_language.signed_out_language())


@lru_cache(maxsize=None)
def _templates(language):
    """The mail templates' environment of one language (one each, as the published pages':
    installing a catalogue on a shared environment per mail would race between threads)."""
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR),
                      autoescape=select_autoescape(("html",)), extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translations(language), newstyle=True)
    env.filters["duration"] = partial(format_timedelta, locale=locale(language))
    env.globals["language"] = language
    return env


def compose(to, subject, template, language, headers=None, **context):
    """The mail in `language` as plain data a task can carry: `{to, subject, text, html,
    headers}`. `subject` is the English message, translated here."""
    subject = translations(language).gettext(subject)
    context = {"subject": subject, "home": link("/"), **context}
    templates = _templates(page_language(language))
    return {"to": to, "subject": subject, "headers": headers or {},
            "text": templates.get_template(f"mail/{template}.txt").render(context),
            "html": templates.get_template(f"mail/{template}.html").render(context)}


def send(to, subject, template, language, headers=None, **context):
    """Compose the mail in `language` and queue it (see the module docstring)."""
    queue(compose(to, subject, template, language, headers, **context))


def queue(message):
    """Hand the mail to a worker; where tasks run in the request, or the broker is down,
    deliver it from here, once. A mail that cannot be sent never fails the request."""
    celery = current_app.extensions["celery"]
    if not celery.conf.task_always_eager:
        try:
            celery.send_task(SEND_MAIL_TASK, args=(message,), retry=False)
            return
        except (KombuError, RedisError, OSError) as exc:
            log.warning("Celery broker unreachable (%s): mail sent from the request", exc)
    try:
        deliver(message)
    except MailServerUnavailable as exc:
        log.error("mail %r to %s not sent: %s", message["subject"], message["to"], exc)


def deliver(message):
    """Send one mail composed by `compose` (raises MailServerUnavailable when it may work
    later); without MAIL_SERVER, write it to the log and the outbox folder instead."""
    config = current_app.config
    email = _email_message(message, config["MAIL_DEFAULT_SENDER"])
    if not config["MAIL_SERVER"]:
        _keep_unsent(email, message, config["MAIL_OUTBOX_DIR"])
        return
    try:
        with _connect(config) as smtp:
            smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        _temporary_or_lost(message, min(codes), exc)
    except smtplib.SMTPResponseException as exc:
        _temporary_or_lost(message, exc.smtp_code, exc)
    except (smtplib.SMTPException, OSError) as exc:  # refused, unreachable, cut off, timed out
        raise MailServerUnavailable(f"{config['MAIL_SERVER']}: {exc}") from exc


def _temporary_or_lost(message, code, exc):
    if 400 <= code < 500:
        raise MailServerUnavailable(f"the server answered {code}: {exc}") from exc
    # A permanent refusal (an address that does not exist, a sender or login refused): sending
    # again cannot help, and the request that caused the mail is long answered.
    log.error("mail %r to %s refused by the server for good (%s): %s",
              message["subject"], message["to"], code, exc)


def _email_message(message, sender):
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message["to"]
    email["Subject"] = message["subject"]
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    for name, value in message["headers"].items():
        email[name] = value
    email.set_content(message["text"])
    email.add_alternative(message["html"], subtype="html")
    return email


def _connect(config):
    """An SMTP connection, encrypted and logged in as the settings say."""
    server, port, timeout = (config["MAIL_SERVER"], config["MAIL_PORT"],
                             config["MAIL_TIMEOUT_SECONDS"])
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(server, port, timeout=timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(server, port, timeout=timeout)
    try:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


def _keep_unsent(email, message, outbox):
    """Development without MAIL_SERVER: the mail in the log, and in `outbox` if set."""
    where = ""
    if outbox:
        folder = Path(outbox)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{utcnow():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(email.as_bytes())
        where = f", written to {path}"
    log.warning("MAIL_SERVER is not set: mail not sent%s\nTo: %s\nSubject: %s\n\n%s",
                where, message["to"], message["subject"], message["text"])
