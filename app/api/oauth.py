"""Sign in with Google or LinkedIn: /api/v1/auth/oauth/<provider>/login and /callback.

The rules are in `app.services.oauth`. Without a `FRONTEND_URL` (API clients, development) the
callback answers in JSON instead: 200 like POST /auth/login, or the error shape with a 400.
The web app starts with `?session=cookie`: its sign-in ends on the dashboard with the session
cookies set (app/session_cookies.py), or on /signin with `#error=...` — no token in any URL.
"""
from urllib.parse import urlencode

from flask import current_app, jsonify, redirect, request, session, url_for

from .. import session_cookies
from ..errors import error_payload
from ..schemas.auth import AuthResultSchema
from ..services import auth_sessions
from ..services import oauth as sign_in
from . import Blueprint

blp = Blueprint("oauth", __name__, url_prefix="/api/v1/auth/oauth",
                description="Sign in with Google or LinkedIn (browser redirects)")

PROVIDER_PARAMETER = {"in": "path", "name": "provider", "required": True,
                      "schema": {"type": "string", "enum": list(sign_in.PROVIDERS)}}
LOCATION_HEADER = {"Location": {"schema": {"type": "string", "format": "uri"}}}
SESSION_PARAMETER = {
    "in": "query", "name": "session", "schema": {"type": "string", "enum": ["token", "cookie"]},
    "description": "`cookie` (the web app): the sign-in ends on /app with the session cookies "
                   "set, or on /signin with `#error=<code>&error_description=...`."}
# Flask session key remembering, from /login to /callback, that the web app asked for cookies.
COOKIE_SIGN_IN = "oauth_cookie_session"
CALLBACK_PARAMETERS = [
    {"in": "query", "name": name, "schema": {"type": "string"}, "description": description}
    for name, description in [
        ("code", "Authorization code from the provider."),
        ("state", "The state sent by /login; it must match the one in the session cookie."),
        ("error", "Set by the provider when the user cancelled or the request was refused."),
    ]
]


def _callback_url(provider):
    base = current_app.config["OAUTH_REDIRECT_BASE"]
    if base:
        return base.rstrip("/") + url_for("oauth.callback", provider=provider)
    return url_for("oauth.callback", provider=provider, _external=True)


@blp.route("/<provider>/login", methods=["GET"])
@blp.doc(parameters=[PROVIDER_PARAMETER, SESSION_PARAMETER])
@blp.response(302, description="To the provider's sign-in page.", headers=LOCATION_HEADER)
@blp.alt_response(404, response="NOT_FOUND", description="No such provider.")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE",
                  description="The provider is not configured or cannot be reached.")
def login(provider):
    """Start signing in with a provider (open it in the browser, not with fetch)."""
    client = sign_in.get_client(provider)
    session[COOKIE_SIGN_IN] = request.args.get("session") == session_cookies.COOKIE
    return sign_in.begin_sign_in(client, _callback_url(provider))


@blp.route("/<provider>/callback", methods=["GET"])
@blp.doc(parameters=[PROVIDER_PARAMETER, *CALLBACK_PARAMETERS])
@blp.response(302, headers=LOCATION_HEADER, description=(
    "To FRONTEND_URL with `#access_token=...&refresh_token=...&token_type=Bearer`, or "
    "`#error=<code>&error_description=...` (codes: access_denied, invalid_state, provider_error, "
    "email_missing, email_not_verified, account_exists, identity_conflict). Tokens are only ever "
    "in the fragment. Started with `?session=cookie`: to /app with the session cookies, or to "
    "/signin with the error fragment."))
@blp.alt_response(200, schema=AuthResultSchema, success=True,
                  description="Without FRONTEND_URL: the tokens as JSON, like POST /auth/login.")
@blp.alt_response(400, response="BAD_REQUEST",
                  description="Without FRONTEND_URL: the sign-in was refused.")
@blp.alt_response(404, response="NOT_FOUND", description="No such provider.")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE",
                  description="The provider is not configured.")
def callback(provider):
    """Where the provider sends the browser back; signs in, links or creates the account."""
    user = sign_in.find_or_create_user(sign_in.fetch_identity(sign_in.get_client(provider)))
    access, refresh = auth_sessions.start_session(user, request.user_agent.string)
    if session.pop(COOKIE_SIGN_IN, False):
        session_cookies.deliver(access, refresh)
        return redirect(url_for("app_pages.dashboard"))
    tokens = {"access_token": access, "refresh_token": refresh, "token_type": "Bearer"}
    if current_app.config["FRONTEND_URL"]:
        return sign_in.frontend_redirect(tokens)
    return _no_store(jsonify(AuthResultSchema().dump({"user": user, **tokens})))


@blp.errorhandler(sign_in.SignInRefused)
def sign_in_refused(refused):
    error = {"error": refused.error, "error_description": refused.message}
    if session.pop(COOKIE_SIGN_IN, False):
        return redirect(f"{url_for('app_pages.signin')}#{urlencode(error)}")
    if current_app.config["FRONTEND_URL"]:
        return sign_in.frontend_redirect(error)
    return error_payload(400, refused.message), 400


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response
