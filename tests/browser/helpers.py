"""What the browser tests do around the pages: the API with the browser's own session cookies,
waiting for the sign-in page."""
from urllib.parse import parse_qs, urlsplit


def cookie(page, name):
    return next((c for c in page.context.cookies() if c["name"] == name), None)


def call_api(page, method, path, data=None):
    """An API call with the page's session (cookies plus the CSRF header, as api.js does)."""
    headers = {"X-CSRF-TOKEN": cookie(page, "csrf_access_token")["value"]}
    response = page.request.fetch(f"/api/v1{path}", method=method, data=data, headers=headers)
    assert response.ok, response.text()
    return response.json() if response.status != 204 else None


def create_portfolio(page, title, **fields):
    return call_api(page, "POST", "/portfolios", {"title": title, **fields})


def wait_for_sign_in(page, next_path):
    """Wait until the page is /signin, asked to come back to `next_path` once signed in."""
    def is_sign_in(url):
        parts = urlsplit(url)
        return parts.path == "/signin" and parse_qs(parts.query).get("next") == [next_path]
    page.wait_for_url(is_sign_in)
