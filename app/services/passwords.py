"""Password hashing (argon2id), the password policy, and the digest of random secrets."""
import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 128
_hasher = PasswordHasher()
# Verified when the account does not exist, so an unknown email costs as much as a wrong password.
_DUMMY_HASH = _hasher.hash("timing-equaliser-not-a-real-password")


@lru_cache(maxsize=1)
def _common_passwords():
    # Django's list of 20,000 common passwords (BSD licence), shipped in app/data.
    path = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def password_problems(password, email=None):
    """The reasons a new password is refused (empty list when it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH or len(password) > MAX_LENGTH:
        problems.append(f"Password must be {MIN_LENGTH} to {MAX_LENGTH} characters long.")
    lowered = password.strip().lower()
    if email and (lowered == email.lower() or lowered == email.split("@")[0].lower()):
        problems.append("Password must not be your email address.")
    if lowered in _common_passwords():
        problems.append("This password is too common; choose one that is harder to guess.")
    elif len(set(lowered)) < 4:
        problems.append("Password is too repetitive.")
    return problems


def hash_password(password):
    return _hasher.hash(password)


def verify_password(password_hash, password):
    """Constant-cost check; `password_hash` may be None (unknown user or OAuth-only account)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher.check_needs_rehash(password_hash)


def secret_digest(secret):
    """SHA-256 of a random secret (a mailed link's token, a recovery code), as stored. Enough
    for values of 80 bits or more: unlike a password, there is nothing to guess them from."""
    return hashlib.sha256(secret.encode()).hexdigest()
