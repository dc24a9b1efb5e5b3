"""The current time of the account rules (token expiry, TOTP time steps), in one place a test
can move: `monkeypatch.setattr(clock, "now", lambda: moment)`."""
from ..models.user import utcnow


def now():
    """Naive UTC, as MongoDB stores it."""
    return utcnow()
