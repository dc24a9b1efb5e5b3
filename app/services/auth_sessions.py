"""Sign-in sessions and JWT rules: issuing, rotating and revoking tokens.

A session is a refresh-token family (see `AuthSession`). Each refresh spends the presented
refresh token and hands out a new one; presenting a spent one again means it was copied, so the
whole family is revoked (the thief and the victim both have to sign in again).
"""
from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, get_jti

from ..models import AuthSession
from ..models.user import utcnow


class RefreshRefused(Exception):
    """The refresh token cannot be spent; the message says why (for the 401)."""


def _issue(session):
    identity = str(session.user.id)
    claims = {"sid": str(session.id)}
    access = create_access_token(identity=identity, additional_claims=claims)
    refresh = create_refresh_token(identity=identity, additional_claims=claims)
    return access, refresh


def start_session(user, user_agent=None):
    """Sign a user in on a new device; returns `(access_token, refresh_token)`."""
    now = utcnow()
    session = AuthSession(
        user=user, current_refresh_jti="pending", user_agent=(user_agent or "")[:256],
        expires_at=now + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"],
    ).save()
    access, refresh = _issue(session)
    AuthSession.objects(id=session.id).update_one(set__current_refresh_jti=get_jti(refresh))
    user.modify(set__last_login_at=now)
    return access, refresh


def rotate(claims):
    """Spend the refresh token described by `claims`; returns a new `(access, refresh)` pair."""
    session = AuthSession.objects(id=claims["sid"]).first()
    if session is None or session.revoked_at is not None:
        raise RefreshRefused("This session has ended; sign in again.")
    access, refresh = _issue(session)
    now = utcnow()
    # One conditional update: of two concurrent refreshes with the same token, exactly one wins.
    spent = AuthSession.objects(
        id=session.id, current_refresh_jti=claims["jti"], revoked_at=None,
    ).update_one(
        set__current_refresh_jti=get_jti(refresh), set__last_refreshed_at=now,
        set__expires_at=now + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"],
    )
    if not spent:
        revoke_session(session.id, "refresh token reused")
        current_app.logger.warning("refresh token reuse on session %s: family revoked", session.id)
        raise RefreshRefused("This refresh token was already used; the session has been revoked.")
    return access, refresh


def revoke_session(session_id, reason):
    AuthSession.objects(id=session_id, revoked_at=None).update_one(
        set__revoked_at=utcnow(), set__revoked_reason=reason)


def revoke_user_sessions(user, reason, keep_session_id=None):
    """End every session of `user` (a password change keeps the one it was made in)."""
    sessions = AuthSession.objects(user=user, revoked_at=None)
    if keep_session_id is not None:
        sessions = sessions.filter(id__ne=keep_session_id)
    sessions.update(set__revoked_at=utcnow(), set__revoked_reason=reason)


def is_session_active(session_id):
    if not session_id:
        return False
    return AuthSession.objects(id=session_id, revoked_at=None, expires_at__gt=utcnow()).count() > 0
