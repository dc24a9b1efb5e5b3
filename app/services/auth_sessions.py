"""Sign-in sessions and JWT rules: issuing, rotating and revoking tokens.

A session is a refresh-token family (see `AuthSession`). Each refresh spends the presented
refresh token and hands out a new one; presenting a spent one again means it was copied, so the
whole family is revoked (the thief and the victim both have to sign in again).
"""
import threading
import time

from bson import ObjectId
from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, get_jti

from ..models import AuthSession, User
from ..models.user import utcnow

# Every authenticated request asks whether its session is still active. The answer is kept this
# long in the process: a session revoked by another process (logout or password change on another
# server or worker) still works here for at most this many seconds; in this process, at once.
SESSION_CHECK_SECONDS = 5
_SESSION_CHECKS_KEPT = 10_000
_checked = {}  # session id -> (active, monotonic time of the check)
_checked_lock = threading.Lock()

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
    _forget_checks([session_id])


def revoke_user_sessions(user, reason, keep_session_id=None):
    """End every session of `user` (a password change keeps the one it was made in)."""
    sessions = AuthSession.objects(user=user, revoked_at=None)
    if keep_session_id is not None:
        sessions = sessions.filter(id__ne=keep_session_id)
    revoked = [session.id for session in sessions.only("id")]
    sessions.update(set__revoked_at=utcnow(), set__revoked_reason=reason)
    _forget_checks(revoked)


def signed_in_user(user_id):
    """The account a token names (its `sub`), read afresh for every request; None if it no
    longer exists. One find_one: MongoEngine's queryset around it cost as much again
    (cProfile of an autosave, issue 16)."""
    found = User._get_collection().find_one({"_id": ObjectId(user_id)}) \
        if ObjectId.is_valid(user_id) else None
    return User._from_son(found) if found else None


def is_session_active(session_id):
    """Whether the session is neither revoked nor expired, as known at most
    SESSION_CHECK_SECONDS ago."""
    if not session_id:
        return False
    now = time.monotonic()
    checked = _checked.get(session_id)
    if checked is not None and now - checked[1] < SESSION_CHECK_SECONDS:
        return checked[0]
    active = AuthSession.objects(id=session_id, revoked_at=None,
                                 expires_at__gt=utcnow()).count() > 0
    with _checked_lock:
        if len(_checked) >= _SESSION_CHECKS_KEPT:
            _checked.clear()
        _checked[session_id] = (active, now)
    return active


def _forget_checks(session_ids):
    with _checked_lock:
        for session_id in session_ids:
            _checked.pop(str(session_id), None)
