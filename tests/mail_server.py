"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1), and reading what it received.

Test modules that send mail import the fixtures:

    from .mail_server import app_sending_mail, mailbox, smtp_server  # noqa: F401 (fixtures)

`app_sending_mail` replaces the `app` fixture (so `client`, `register`, `auth_client`... use
it): an app whose MAIL_SERVER is this server. Celery runs eagerly in the tests, so a request's
mail has arrived by the time the request has answered. `mailbox` is the server, emptied for the
test: `mailbox.only(address)` is the one mail sent to an address, `link_in(mail, "/path")` the
link of that page it holds.
"""
import re
import socket
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://[^\s<>\"]+")


class Mailbox:
    """The aiosmtpd handler: keeps each message; `refuse(n, reply)` answers the next n
    deliveries with `reply` ("421 ..." try later, "550 ..." never) instead."""

    def __init__(self):
        self.port = None
        self.messages = []
        self.attempts = 0
        self._refusals = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.attempts += 1
            if self._refusals:
                return self._refusals.pop(0)
            message = message_from_bytes(envelope.original_content or envelope.content,
                                         policy=policy.default)
            message.recipients = list(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 OK"

    def refuse(self, count, reply):
        self._refusals = [reply] * count

    def clear(self):
        self.messages, self.attempts, self._refusals = [], 0, []

    def to(self, address):
        return [message for message in self.messages if address in message.recipients]

    def only(self, address):
        """The one mail sent to `address` (fails if there are none or several)."""
        received = self.to(address)
        assert len(received) == 1, f"{len(received)} mails to {address}: {self.subjects()}"
        return received[0]

    def subjects(self):
        return [(message["To"], message["Subject"]) for message in self.messages]


def text_of(message):
    return message.get_body(("plain",)).get_content()


def html_of(message):
    return message.get_body(("html",)).get_content()


def link_in(message, path):
    """The link to `path` in the mail's text, also present in its HTML."""
    links = [link for link in LINK.findall(text_of(message)) if path in link]
    assert len(set(links)) == 1, f"links to {path}: {links}"
    assert links[0].replace("&", "&amp;") in html_of(message)
    return links[0]


def token_in(message, path):
    return link_in(message, path).split("token=", 1)[1]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    handler = Mailbox()
    handler.port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    smtp_server.clear()
    yield smtp_server
    smtp_server.clear()


def mail_settings(mailbox):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": mailbox.port}


@pytest.fixture(name="app")
def app_sending_mail(make_app, mailbox):
    return make_app(**mail_settings(mailbox))
