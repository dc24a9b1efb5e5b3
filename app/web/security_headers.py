"""Hardening headers, set in one place: an after_request hook registered by create_app.

Every HTML page — the app's pages (app/web/app_pages.py), the published pages /p and /r, their
password, error and gone pages — gets:

- `Content-Security-Policy` (`PAGE_POLICY`): scripts and styles from this origin only, no inline
  script at all, nothing from another host, no plugin, no <base>, forms posting here only, and no
  framing. The published pages inline their stylesheets and the portfolio's theme in <style>
  elements (one page, one request); each such element carries this response's nonce
  (`style_nonce()`, added to `style-src`), and no page uses a `style` attribute, so
  'unsafe-inline' is never needed. Scripts may still set styles through the CSSOM
  (`element.style.x = ...`), which CSP does not restrict; never `setAttribute("style", ...)`.
- `X-Frame-Options: DENY` (browsers without `frame-ancestors`), `X-Content-Type-Options: nosniff`,
  `Referrer-Policy: strict-origin-when-cross-origin` and a `Permissions-Policy` turning off
  powerful features no page uses.

A route may set its own values first; they are kept. Recruiter and protected pages keep their
stricter `Referrer-Policy: no-referrer`; a page the editor shows in an iframe (the owner's
preview) calls `allow_same_origin_framing(response)`. Responses that are not HTML (JSON, PDFs,
proof files with their own sandboxing CSP) only get `nosniff`. The API documentation page
(/api/v1/docs) is a page like the others: Swagger UI is served from /static/vendor/ and started
by a script file (app/templates/swagger_ui.html).
"""
import secrets

from flask import g, has_request_context

PAGE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PAGE_HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
                          "magnetometer=(), microphone=(), payment=(), usb=()",
}


def style_nonce():
    """The nonce of this response's <style> elements, the same for the whole request.

    Rendering outside a request (tests, scripts) has no header to match: any value does."""
    if not has_request_context():
        return secrets.token_urlsafe(16)
    if "style_nonce" not in g:
        g.style_nonce = secrets.token_urlsafe(16)
    return g.style_nonce


def content_security_policy(**overrides):
    """The pages' policy as a header value; `frame_ancestors="'self'"` overrides a directive."""
    policy = dict(PAGE_POLICY)
    policy.update({name.replace("_", "-"): value for name, value in overrides.items()})
    if has_request_context() and "style_nonce" in g:
        policy["style-src"] += f" 'nonce-{g.style_nonce}'"
    return "; ".join(f"{name} {value}" for name, value in policy.items())


def allow_same_origin_framing(response):
    """Let this app's own pages show `response` in an iframe (the editor's live preview)."""
    response.headers["Content-Security-Policy"] = content_security_policy(
        frame_ancestors="'self'")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def add_security_headers(response):
    # The names the route set, read in one pass: Werkzeug's lookup of a name the response lacks
    # raises and catches an exception, which made this hook 60 µs of every page.
    present = {name.lower() for name, _value in response.headers}
    headers = {"X-Content-Type-Options": "nosniff"}
    if response.mimetype == "text/html":
        headers.update(PAGE_HEADERS)
        if "content-security-policy" not in present:
            headers["Content-Security-Policy"] = content_security_policy()
    for name, value in headers.items():
        if name.lower() not in present:
            response.headers.add(name, value)
    return response


def register_security_headers(app):
    app.after_request(add_security_headers)
