"""Browser tests: the real app on a free port, driven by Playwright through the system Chromium.

No browser is ever downloaded: Playwright's pip wheel brings its driver, and the browser is
Debian's Chromium (`chromium` on PATH; `.ci/run` installs it when missing). Without it, or
without the playwright package, every test here is skipped, and the run says so plainly at the
top and at the end of pytest's output.

Fixtures: `live_server` (the app of `make_app(**live_settings)`, served by werkzeug in a thread:
`.url`, `.app`), `page` (a Playwright page in a fresh browser context, `base_url` = the server:
`page.goto("/")`) and `signed_in` (the page with a new account's session cookies, like after
signing up). After each test, the page must not have logged a console error, a script error or
a CSP violation (but those a test announced with `page.allow_console_error("part of the
message")`).
"""
import shutil
import threading
import uuid
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from ..conftest import PASSWORD, mark_verified

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover (playwright is in requirements-dev.txt)
    sync_playwright = None

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
if sync_playwright is None:
    SKIPPED_BECAUSE = "the playwright package is not installed"
elif CHROMIUM is None:
    SKIPPED_BECAUSE = "chromium not found (apt-get install -y chromium)"
else:
    SKIPPED_BECAUSE = None
# Chrome logs every 4xx/5xx answer as a console error; the API's refusals (a wrong password, a
# 401 before the session is refreshed) are expected answers, anything else is a problem.
EXPECTED_API_REFUSAL = "Failed to load resource: the server responded with a status of 4"


def browser_status():
    if SKIPPED_BECAUSE:
        return f"browser tests SKIPPED: {SKIPPED_BECAUSE}"
    return f"browser tests: chromium at {CHROMIUM}"


def pytest_report_header(config):
    return browser_status()


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(browser_status(), yellow=bool(SKIPPED_BECAUSE),
                                bold=bool(SKIPPED_BECAUSE))


@pytest.fixture(scope="session")
def browser():
    if SKIPPED_BECAUSE:
        pytest.skip(f"browser tests skipped: {SKIPPED_BECAUSE}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class LiveServer:
    url: str
    app: object


@pytest.fixture
def live_settings():
    """Settings of the app `live_server` serves, for `make_app`: a test module overrides this
    fixture (test_ai_assistant.py points the AI assistant at a local server)."""
    return {}


@pytest.fixture
def live_server(make_app, live_settings):
    app = make_app(**live_settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll interval: shutdown() waits for the loop to look again.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    thread.join()


def _is_problem(message):
    if message.type != "error":
        return False
    return not (message.text.startswith(EXPECTED_API_REFUSAL)
                and "/api/v1/" in message.location.get("url", ""))


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    new_page = context.new_page()
    problems, expected = [], []
    # A test that provokes an error on purpose names a part of its message.
    new_page.allow_console_error = expected.append
    new_page.on("console", lambda message: _is_problem(message) and problems.append(
        f"{message.text} ({message.location.get('url')})"))
    new_page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    yield new_page
    context.close()
    unexpected = [problem for problem in problems if not any(part in problem for part in expected)]
    assert not unexpected, f"the page logged errors: {unexpected}"


@dataclass
class Account:
    email: str
    password: str
    full_name: str


def register(page, full_name="Ada Lovelace", verified=True):
    """An account signed in on `page`'s browser with session cookies (as the sign-up form does),
    its address verified unless `verified=False`."""
    account = Account(f"user-{uuid.uuid4().hex[:8]}@example.com", PASSWORD, full_name)
    response = page.request.post("/api/v1/auth/register", data={
        "email": account.email, "password": account.password, "full_name": account.full_name,
        "session": "cookie"})
    assert response.status == 201, response.text()
    if verified:
        mark_verified(account.email)
    return account


@pytest.fixture
def signed_in(page):
    page.account = register(page)
    return page
