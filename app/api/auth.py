"""Accounts and JWT auth: /api/v1/auth."""
from flask import current_app, request, send_file
from flask_jwt_extended import current_user, decode_token, get_jwt
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_smorest import abort
from jwt.exceptions import PyJWTError

from ..extensions import limiter
from ..schemas.auth import (
    AuthResultSchema, DeleteAccountSchema, LoginSchema, LogoutSchema, PasswordChangeSchema,
    RegisterSchema, TokenPairSchema, UserSchema, UserUpdateSchema,
)
from ..services import accounts, auth_sessions
from . import Blueprint, load_json, login_required

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Accounts and tokens")


def _body_email():
    try:
        body = load_json(request.get_data(cache=True))
    except ValueError:
        body = None
    email = body.get("email") if isinstance(body, dict) else None
    return f"account:{email.strip().lower()}" if isinstance(email, str) else "account:-"


def _signed_in(user):
    access, refresh = auth_sessions.start_session(user, request.user_agent.string)
    return {"user": user, "access_token": access, "refresh_token": refresh}


@blp.route("/register", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTER_PER_IP"])
@blp.arguments(RegisterSchema)
@blp.response(201, AuthResultSchema)
def register(data):
    """Create an account and sign in."""
    return _signed_in(accounts.register(**data))


@blp.route("/login", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_PER_IP"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_PER_ACCOUNT"], key_func=_body_email)
@blp.arguments(LoginSchema)
@blp.response(200, AuthResultSchema)
def login(data):
    """Sign in with email and password."""
    user = accounts.authenticate(data["email"], data["password"])
    if user is None:
        abort(401, message="Email or password is incorrect.")
    return _signed_in(user)


@blp.route("/refresh", methods=["POST"])
@login_required(refresh=True)
@blp.response(200, TokenPairSchema)
def refresh():
    """Spend the refresh token (sent as the Bearer token) for a new token pair."""
    try:
        access, new_refresh = auth_sessions.rotate(get_jwt())
    except auth_sessions.RefreshRefused as refused:
        abort(401, message=str(refused))
    return {"access_token": access, "refresh_token": new_refresh}


@blp.route("/logout", methods=["POST"])
@login_required
@blp.arguments(LogoutSchema, required=False)
@blp.response(204)
def logout(data):
    """End this session: its access and refresh tokens stop working."""
    auth_sessions.revoke_session(get_jwt()["sid"], "logout")
    if data.get("refresh_token"):
        try:
            claims = decode_token(data["refresh_token"], allow_expired=True)
        except (PyJWTError, JWTExtendedException):
            abort(422, message="refresh_token is not a valid token.",
                  errors={"refresh_token": ["Not a valid token."]})
        if claims.get("sub") == str(current_user.id):
            auth_sessions.revoke_session(claims["sid"], "logout")


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
@login_required
@blp.arguments(DeleteAccountSchema)
@blp.response(204)
def delete_me(data):
    """Delete the account and every document and file it owns.

    Send `password`; an account without one (created with Google or LinkedIn) sends
    `{"confirm": "DELETE"}` instead.
    """
    accounts.delete_account(current_user, **data)


@blp.route("/me/export", methods=["GET"])
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
    auth_sessions.revoke_other_sessions(current_user, get_jwt()["sid"], "password changed")
