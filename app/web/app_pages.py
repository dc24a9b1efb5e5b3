"""The web app's pages: thin HTML shells; their behaviour is the ES modules in app/static/app/.

| URL | template (app/templates/app/) | module (app/static/app/) |
|---|---|---|
| `/` | `landing.html` | — |
| `/signup` | `signup.html` | `signup.js` |
| `/signin` | `signin.html` | `signin.js` |
| `/app` | `dashboard.html` | `dashboard.js` |
| `/app/account` | `account.html` | `account.js` |
| `/app/portfolios/<id>` | `editor.html` | `editor.js` |
| `/app/portfolios/<id>/preview` | the published page itself (app/web/rendering/) | — |
| `/app/portfolios/<id>/stats` | `stats.html` | `stats.js` |
| `/verify-email?token=` | `verify-email.html` | `verify-email.js` |
| `/reset-password[?token=]` | `reset-password.html` | `reset-password.js` |
| `/unsubscribe?token=` | `unsubscribe.html` | — (a form) |

Every signed-in page extends `signed_in.html` (header with the navigation, the notification bell's
`#notification-bell` and the sign-out button, run by `shell.js`); the others extend `base.html`.
The pages hold no data of the account: the modules fetch it from /api/v1, which decides.
Their words are in the app's language, chosen per request by app_language.py (the account's
setting, the switch's cookie, Accept-Language) and rendered as `<html lang data-language>`.

Signed in or not: the session is in cookies (app/session_cookies.py). A signed-in page asked by a
browser that cannot be signed in — no valid access cookie and no refresh cookie — redirects to
/signin?next=<the page>. Otherwise the shell is served, and if its access token has expired the
module's first API call refreshes it, or goes to /signin?next= when the session is over (api.js).
/signin and /signup, opened with a valid session, go straight on to `next` (default /app).
"""
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_jwt_extended import current_user

from .. import app_language, session_cookies
from ..services import ai, notifications, oauth, portfolios, publishing
from ..services.visibility import AUDIENCES, portfolio_view
from . import rendering
from .security_headers import allow_same_origin_framing

bp = Blueprint("app_pages", __name__)
DASHBOARD = "/app"
# Templates render their words in the request's app language (app_language.py): `{{ t("…") }}`,
# a global so that imported macros (_forms.html) have it too.
bp.add_app_template_global(app_language.t, "t")
bp.add_app_template_global(app_language.language_choices, "app_languages")
bp.add_app_template_global(app_language.portfolio_language_choices, "portfolio_languages")


@bp.context_processor
def page_language():
    """`<html lang>` and the `data-language` i18n.js reads: the pages never flash English."""
    return {"language": app_language.request_language()}


@bp.after_request
def vary_by_language(response):
    """The pages' words depend on the session, the switch's cookie and Accept-Language."""
    response.vary.update(("Cookie", "Accept-Language"))
    return response


def safe_next(target):
    """`target` if it is a path on this site, else the dashboard: never an open redirect
    (`//host`, `/\\host` and control characters are refused, browsers read them as hosts)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return DASHBOARD
    if any(ord(character) < 32 or character == "\\" for character in target):
        return DASHBOARD
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else DASHBOARD


def signed_in_page(view):
    """A page of the signed-in app: a browser that cannot be signed in goes to /signin first."""
    @wraps(view)
    def page(*args, **kwargs):
        if not session_cookies.may_be_signed_in():
            return redirect(url_for(".signin", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return page


def signed_out_page(view):
    """Sign-in and sign-up: with a valid session already, straight on to where it was going."""
    @wraps(view)
    def page(*args, **kwargs):
        if session_cookies.has_valid_access_cookie():
            return redirect(safe_next(request.args.get("next")))
        return view(*args, **kwargs)
    return page


def sign_in_providers():
    """(name, label) of the Google/LinkedIn sign-ins this server is configured for."""
    return [(name, oauth.PROVIDERS[name].label)
            for name in oauth.client_settings(current_app.config)]


@bp.get("/favicon.ico")
def favicon():
    """The icon browsers ask for on every page of the site (the published pages name none)."""
    return current_app.send_static_file("app/icon.svg")


@bp.get("/")
def landing():
    return render_template("app/landing.html", providers=sign_in_providers(),
                           signed_in=session_cookies.has_valid_access_cookie())


@bp.get("/signup")
@signed_out_page
def signup():
    return render_template("app/signup.html", providers=sign_in_providers())


@bp.get("/signin")
@signed_out_page
def signin():
    return render_template("app/signin.html", providers=sign_in_providers(),
                           next=safe_next(request.args.get("next")))


@bp.get(DASHBOARD)
@signed_in_page
def dashboard():
    return render_template("app/dashboard.html")


@bp.get("/app/account")
@signed_in_page
def account():
    return render_template("app/account.html")


@bp.get("/app/portfolios/<objectid:portfolio_id>")
@signed_in_page
def editor(portfolio_id):
    return render_template("app/editor.html", portfolio_id=portfolio_id,
                           ai_assistant=ai.is_configured())


@bp.get("/app/portfolios/<objectid:portfolio_id>/preview")
def preview(portfolio_id):
    """The editor's live preview: the real published page of the portfolio as `?audience=`
    public, recruiter or owner (the default) would see it, drafts and protected pages included.

    The owner's only (404 for anyone else's portfolio), shown in the editor's iframe and nowhere
    else: framable by this app alone, never cached, never indexed, never counted as a visit.
    Proof images come from the owner's file route, which the session cookie opens. A browser
    whose access cookie has expired gets a 401 page (still framable: the editor refreshes the
    session and reloads it, reading the status from the frame's navigation timing)."""
    audience = request.args.get("audience", "owner")
    if audience not in AUDIENCES:
        abort(404)
    if not session_cookies.has_valid_access_cookie():
        html = rendering.render_error_page(
            code=401, status=app_language.t("Signed out"),
            message=app_language.t("Sign in again to see the preview."),
            language=app_language.request_language())
        return _preview_response(html, 401)
    portfolio = portfolios.get_owned(portfolio_id, current_user)
    files = f"/api/v1/portfolios/{portfolio.id}/proofs"
    html = rendering.render_portfolio_page(
        portfolio_view(portfolio, audience), audience=audience,
        proof_url=lambda proof_id, thumbnail=False: (
            f"{files}/{proof_id}/file" + ("?thumbnail=1" if thumbnail else "")),
        page_url=publishing.absolute_url(f"/p/{portfolio.slug}"),
        pdf_url=f"/api/v1/portfolios/{portfolio.id}/export.pdf", noindex=True)
    return _preview_response(html, 200)


def _preview_response(html, status):
    response = current_app.make_response((html, status, publishing.PRIVATE_PAGE_HEADERS))
    return allow_same_origin_framing(response)


@bp.get("/app/portfolios/<objectid:portfolio_id>/stats")
@signed_in_page
def stats(portfolio_id):
    return render_template("app/stats.html", portfolio_id=portfolio_id)


@bp.get("/verify-email")
def verify_email():
    """Where the mailed link proving an address lands; the module sends its token to the API."""
    return render_template("app/verify-email.html")


@bp.get("/reset-password")
def reset_password():
    """Without a token: ask for a reset link by mail. With one (the mailed link): a new
    password."""
    return render_template("app/reset-password.html", has_token="token" in request.args)


@bp.route("/unsubscribe", methods=["GET", "POST"])
def unsubscribe():
    """The notification mails' one-click unsubscribe link. Mail programs POST to it (RFC 8058);
    a person who opens it gets a button, so that a link checker's GET changes nothing."""
    subscription = notifications.read_unsubscribe_token(request.args.get("token", ""))
    if subscription is None:
        abort(400, description="This unsubscribe link is not valid; change which mails you get "
                               "on your account page.")
    if request.method == "POST":
        notifications.unsubscribe(*subscription)
    return render_template("app/unsubscribe.html", done=request.method == "POST",
                           subject=notifications.mail_subject(*subscription))
