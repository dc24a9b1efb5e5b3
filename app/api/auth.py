"""Accounts and JWT auth: /api/v1/auth.

Tokens travel in the JSON and the `Authorization: Bearer` header (API clients), or in HttpOnly
cookies with a CSRF header (browsers, `"session": "cookie"` at sign-in): app/session_cookies.py.
"""
from flask import current_app, request, send_file
from flask_jwt_extended import current_user, decode_token, get_jwt
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_smorest import abort
from jwt.exceptions import PyJWTError

from .. import session_cookies
from ..extensions import limiter, without_mongo_deadline
from ..schemas.auth import (
    AuthResultSchema, DeleteAccountSchema, EmailChangeSchema, EmailVerifiedSchema, LogoutSchema,
    MailQueuedSchema, PasswordChangeSchema, PasswordForgotSchema, PasswordResetSchema,
    RecoveryCodesSchema, TokenPairSchema, TokenSchema, TwoFactorCodeSchema,
    TwoFactorDisableSchema, TwoFactorSetupSchema, UserSchema, UserUpdateSchema,
)
from ..schemas.sessions import SessionLoginSchema, SessionRegisterSchema
from ..services import accounts, auth_sessions, two_factor
from . import Blueprint, load_json, login_required

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Accounts and tokens")
# Two-factor codes tried at sign-in and to turn two-factor sign-in on or off share one count
# per account (the keys below are the same "account:<email>").
TWO_FACTOR_CODES = "two-factor-codes"


def _body():
    try:
        body = load_json(request.get_data(cache=True))
    except ValueError:
        body = None
    return body if isinstance(body, dict) else {}


def _body_email():
    email = _body().get("email")
    return f"account:{email.strip().lower()}" if isinstance(email, str) else "account:-"


def _signed_in_account():
    return f"account:{current_user.email}"


def _config(name):
    return lambda: current_app.config[name]


def _signed_in(user, session):
    """A new session for `user`: its tokens in the answer, or in cookies for a browser."""
    access, refresh = auth_sessions.start_session(user, request.user_agent.string)
    if session == session_cookies.COOKIE:
        session_cookies.deliver(access, refresh)
        return {"user": user}
    return {"user": user, "access_token": access, "refresh_token": refresh}


@blp.route("/register", methods=["POST"])
@limiter.limit(_config("RATELIMIT_REGISTER_PER_IP"))
@blp.arguments(SessionRegisterSchema)
@blp.response(201, AuthResultSchema)
def register(data):
    """Create an account and sign in (with `"session": "cookie"`, the tokens are cookies)."""
    session = data.pop("session")
    return _signed_in(accounts.register(**data), session)


@blp.route("/login", methods=["POST"])
@limiter.limit(_config("RATELIMIT_LOGIN_PER_IP"))
@limiter.limit(_config("RATELIMIT_LOGIN_PER_ACCOUNT"), key_func=_body_email)
@limiter.shared_limit(_config("RATELIMIT_OTP_PER_ACCOUNT"), TWO_FACTOR_CODES,
                      key_func=_body_email, exempt_when=lambda: not _body().get("otp"))
@blp.arguments(SessionLoginSchema)
@blp.response(200, AuthResultSchema)
def login(data):
    """Sign in with email and password (with `"session": "cookie"`, the tokens are cookies).

    With two-factor sign-in on, also `otp`: without it the answer is a 401 whose `errors`
    names `otp`."""
    user = accounts.sign_in(data["email"], data["password"], data.get("otp"))
    return _signed_in(user, data["session"])


@blp.route("/refresh", methods=["POST"])
@login_required(refresh=True)
@blp.response(200, TokenPairSchema)
def refresh():
    """Spend the refresh token for a new token pair.

    Send it as the Bearer token; a browser's refresh cookie is spent the same way (with the
    X-CSRF-TOKEN header holding the csrf_refresh_token cookie), and the new pair replaces the
    cookies instead of being in the answer."""
    from_cookie = session_cookies.token_came_from_cookie()
    try:
        access, new_refresh = auth_sessions.rotate(get_jwt())
    except auth_sessions.RefreshRefused as refused:
        if from_cookie:
            session_cookies.forget()
        abort(401, message=str(refused))
    if from_cookie:
        session_cookies.deliver(access, new_refresh)
        return {}
    return {"access_token": access, "refresh_token": new_refresh}


@blp.route("/logout", methods=["POST"])
@login_required
@blp.arguments(LogoutSchema, required=False)
@blp.response(204)
def logout(data):
    """End this session: its access and refresh tokens stop working (and its cookies go)."""
    session_cookies.forget()
    auth_sessions.revoke_session(get_jwt()["sid"], "logout")
    if data.get("refresh_token"):
        try:
            claims = decode_token(data["refresh_token"], allow_expired=True)
        except (PyJWTError, JWTExtendedException):
            abort(422, message="refresh_token is not a valid token.",
                  errors={"refresh_token": ["Not a valid token."]})
        if claims.get("sub") == str(current_user.id):
            auth_sessions.revoke_session(claims["sid"], "logout")


@blp.route("/sessions/revoke-all", methods=["POST"])
@login_required
@blp.response(204)
def revoke_all_sessions():
    """Sign out everywhere: every session of the account ends, this one included."""
    session_cookies.forget()
    auth_sessions.revoke_user_sessions(current_user, "signed out everywhere")


@blp.route("/me", methods=["GET"])
@login_required
@blp.response(200, UserSchema)
def me():
    """The signed-in user."""
    return current_user


@blp.route("/me", methods=["PATCH"])
@login_required
@blp.arguments(UserUpdateSchema)
@blp.response(200, UserSchema)
def update_me(changes):
    """Change the name or photo."""
    return accounts.update_profile(current_user, changes)


@blp.route("/me", methods=["DELETE"])
@without_mongo_deadline
@login_required
@blp.arguments(DeleteAccountSchema)
@blp.response(204)
def delete_me(data):
    """Delete the account and every document and file it owns.

    Send `password`; an account without one (created with Google or LinkedIn) sends
    `{"confirm": "DELETE"}` instead.
    """
    accounts.delete_account(current_user, **data)
    session_cookies.forget()


@blp.route("/me/export", methods=["GET"])
@without_mongo_deadline
@login_required
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/zip",
              description="A ZIP: `user.json`, then one folder per data area.")
def export_me():
    """Download everything the account holds."""
    response = send_file(accounts.export_account(current_user), mimetype="application/zip",
                         as_attachment=True, download_name="vitrine-export.zip")
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/password", methods=["POST"])
@login_required
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
def change_password(data):
    """Change the password; every other session is signed out."""
    accounts.change_password(current_user, data["current_password"], data["new_password"])
    auth_sessions.revoke_user_sessions(current_user, "password changed",
                                       keep_session_id=get_jwt()["sid"])


@blp.route("/verify-email", methods=["POST"])
@blp.arguments(TokenSchema)
@blp.response(200, EmailVerifiedSchema)
def verify_email(data):
    """Prove an address with the link mailed to it: the account's own (sent at registration),
    or a new one it asked to move to (the old address is then told). 410 when the link is
    used or expired."""
    return accounts.verify_email(data["token"])


@blp.route("/verify-email/resend", methods=["POST"])
@login_required
@limiter.limit(_config("RATELIMIT_MAIL_PER_ACCOUNT"), key_func=_signed_in_account)
@blp.response(202, MailQueuedSchema)
def resend_verification():
    """Mail a new verification link to the account's address (409 if already verified)."""
    accounts.resend_verification(current_user)
    return {"message": f"We sent a new link to {current_user.email}."}


@blp.route("/email", methods=["POST"])
@login_required
@limiter.limit(_config("RATELIMIT_MAIL_PER_ACCOUNT"), key_func=_signed_in_account)
@blp.arguments(EmailChangeSchema)
@blp.response(202, MailQueuedSchema)
def change_email(data):
    """Move the account to a new address: a link is mailed to it, and the account changes
    address when it is opened (POST /verify-email). Needs the password."""
    accounts.request_email_change(current_user, data["email"], data["password"])
    return {"message": f"We sent a link to {data['email']}: open it to confirm the change."}


@blp.route("/password/forgot", methods=["POST"])
@limiter.limit(_config("RATELIMIT_MAIL_PER_IP"))
@limiter.limit(_config("RATELIMIT_MAIL_PER_ACCOUNT"), key_func=_body_email)
@blp.arguments(PasswordForgotSchema)
@blp.response(202, MailQueuedSchema)
def forgot_password(data):
    """Mail a link to choose a new password, valid one hour, once. The answer is the same
    whether or not an account has this address."""
    accounts.request_password_reset(data["email"])
    return {"message": "If an account uses this address, we sent it a link to choose a new "
                       "password. It works for one hour."}


@blp.route("/password/reset", methods=["POST"])
@blp.arguments(PasswordResetSchema)
@blp.response(204)
def reset_password(data):
    """Choose a new password with the mailed link (an account without a password sets its
    first one); every session opened before ends. 410 when the link is used or expired."""
    accounts.reset_password(data["token"], data["new_password"])


@blp.route("/2fa/setup", methods=["POST"])
@login_required
@blp.response(200, TwoFactorSetupSchema)
def setup_two_factor():
    """A new secret for the authenticator app (and its QR code); sign-in codes start once
    POST /2fa/enable checks a first code."""
    return two_factor.start_setup(current_user)


@blp.route("/2fa/enable", methods=["POST"])
@login_required
@limiter.shared_limit(_config("RATELIMIT_OTP_PER_ACCOUNT"), TWO_FACTOR_CODES,
                      key_func=_signed_in_account)
@blp.arguments(TwoFactorCodeSchema)
@blp.response(200, RecoveryCodesSchema)
def enable_two_factor(data):
    """Turn two-factor sign-in on with the code the app shows; answers the 10 recovery codes,
    this once."""
    return {"recovery_codes": two_factor.enable(current_user, data["code"])}


@blp.route("/2fa/disable", methods=["POST"])
@login_required
@limiter.shared_limit(_config("RATELIMIT_OTP_PER_ACCOUNT"), TWO_FACTOR_CODES,
                      key_func=_signed_in_account)
@blp.arguments(TwoFactorDisableSchema)
@blp.response(204)
def disable_two_factor(data):
    """Turn two-factor sign-in off: the password and a code (or a recovery code)."""
    accounts.turn_off_two_factor(current_user, data["password"], data["code"])
