"""How flask-jwt-extended finds users, checks revocation and reports token errors."""
from flask_jwt_extended import get_jwt

from .errors import error_payload
from .extensions import jwt
from .services.auth_sessions import is_session_active, signed_in_user


def _unauthorized(message):
    return error_payload(401, message), 401, {"WWW-Authenticate": "Bearer"}


@jwt.user_lookup_loader
def load_user(_jwt_header, jwt_data):
    return signed_in_user(jwt_data["sub"])


@jwt.token_in_blocklist_loader
def token_revoked(_jwt_header, jwt_data):
    # Logout, password change and refresh-token reuse revoke the whole session.
    return not is_session_active(jwt_data.get("sid"))


@jwt.unauthorized_loader
def missing_token(reason):
    return _unauthorized("Authentication required: sign in, then send "
                         "'Authorization: Bearer <token>' (or the session cookie).")


@jwt.invalid_token_loader
def invalid_token(reason):
    return _unauthorized(f"Invalid token: {reason}")


@jwt.expired_token_loader
def expired_token(_jwt_header, jwt_data):
    return _unauthorized("The token has expired.")


@jwt.revoked_token_loader
def revoked_token(_jwt_header, jwt_data):
    return _unauthorized("The token has been revoked; sign in again.")


@jwt.user_lookup_error_loader
def unknown_user(_jwt_header, jwt_data):
    return _unauthorized("The account for this token no longer exists.")


def current_session_id():
    return get_jwt().get("sid")
