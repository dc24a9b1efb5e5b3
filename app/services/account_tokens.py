"""Single-use, expiring links sent by mail: verify an address, confirm a new one, reset the
password. `issue` makes one, `redeem` uses one up; nothing else touches them.

The token (256 random bits) exists only in the mail; the database keeps its SHA-256. A token
works once, until it expires, and — but for the one confirming a new address — only while the
account still has the address it was mailed to. Redeeming one voids the account's other unused
tokens of the same purpose (an older reset link stops working once the password was reset).
A token that is unknown, used or expired is the same 410 (the database cannot tell them apart
once the TTL index has removed an expired one).
"""
import secrets
from datetime import timedelta

from flask_smorest import abort

from ..models import AccountToken
from . import clock
from .passwords import secret_digest

LIFETIMES = {
    "verify_email": timedelta(days=2),
    "change_email": timedelta(days=1),
    "reset_password": timedelta(hours=1),
}
# A new address is what the token proves; the others prove the account's current one.
PROVES_NEW_ADDRESS = "change_email"


def issue(user, purpose, email=None):
    """A new token for `user`, to be mailed to `email` (default: the account's address)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    AccountToken(token_hash=secret_digest(token), user=user, purpose=purpose,
                 email=email or user.email, created_at=now,
                 expires_at=now + LIFETIMES[purpose]).save()
    return token


def redeem(token, purposes, check=None):
    """Use up `token` if it is a live one of one of `purposes`; returns its AccountToken (with
    `.user`). `check(found)` runs first and may refuse (abort): the token then stays usable."""
    now = clock.now()
    found = AccountToken.objects(token_hash=secret_digest(token), purpose__in=purposes,
                                 used_at=None, expires_at__gt=now).first()
    if found is None or (found.purpose != PROVES_NEW_ADDRESS
                         and found.user.email != found.email):
        _refuse()
    if check is not None:
        check(found)
    # Conditional: of two requests with the same token, one wins.
    if not AccountToken.objects(id=found.id, used_at=None).update_one(set__used_at=now):
        _refuse()
    AccountToken.objects(user=found.user, purpose=found.purpose, used_at=None).update(
        set__used_at=now)
    return found


def _refuse():
    message = "This link has expired or was already used; ask for a new one."
    abort(410, message=message, errors={"token": [message]})
