"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238, with pyotp).

Setting it up takes two steps: `start_setup` makes a secret and shows it (text, otpauth URI and
QR code); `enable` turns sign-in codes on once a code from the app proves it holds the secret,
and hands out the recovery codes, once. From then on a password sign-in also needs a code
(`require_second_factor`): a current TOTP code or an unused recovery code.

- The secret is stored encrypted (Fernet, keyed from SECRET_KEY through HKDF): a copy of the
  database alone does not give the codes. Changing SECRET_KEY makes the stored secrets
  unreadable, and their accounts need their recovery codes.
- A TOTP code is accepted once: the time step of the last accepted code is kept, and a code of
  that step or an earlier one is refused (a code seen over a shoulder cannot be replayed).
  Codes of the step before and after the current one are accepted too: phones' clocks drift.
- Recovery codes (80 random bits each) are stored as SHA-256 and each works once.
- Attempts are rate-limited per account by the views (RATELIMIT_OTP_PER_ACCOUNT).
- Two-factor sign-in guards signing in with a password; signing in with Google or LinkedIn
  relies on the provider's own. So it needs a password to be set up (and to be turned off).
"""
import base64
import hmac
import secrets
from datetime import timezone

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_smorest import abort

from ..models.user import TwoFactor, User
from . import clock
from .passwords import secret_digest

ISSUER = "Vitrine"
STEP_SECONDS = 30
# Steps either side of the current one whose code is still accepted.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# 16 characters of 31 (no 0/o, 1/l/i): 79 bits, written "abcd-efgh-jkmn-pqrs".
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_GROUPS, RECOVERY_GROUP_LENGTH = 4, 4


def start_setup(user):
    """A new secret for `user` (replacing an unfinished set-up): `{secret, otpauth_uri,
    qr_code}`, the QR code an SVG data URI of the otpauth URI."""
    if user.two_factor_enabled:
        abort(409, message="Two-factor sign-in is already on; turn it off first to start again.")
    if not user.password_hash:
        abort(409, message="Two-factor sign-in protects signing in with a password: set a "
                           "password first (with a reset link from the sign-in page).")
    secret = pyotp.random_base32()
    user.modify(two_factor=TwoFactor(secret=_fernet().encrypt(secret.encode()).decode()))
    uri = pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
        name=user.email, issuer_name=ISSUER)
    qr_code = segno.make(uri, error="m").svg_data_uri(scale=5, dark="#111111", light="#ffffff")
    return {"secret": secret, "otpauth_uri": uri, "qr_code": qr_code}


def enable(user, code):
    """Turn sign-in codes on with a first `code` from the app; returns the recovery codes
    (plain, this once)."""
    if user.two_factor_enabled:
        abort(409, message="Two-factor sign-in is already on.")
    if user.two_factor is None:
        abort(409, message="Start the set-up first: there is no secret to check the code with.")
    step = _totp_step(user.two_factor, code)
    if step is None:
        abort(422, message="This code is not the one your app shows now.",
              errors={"code": ["Wrong or expired code."]})
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    # Conditional on the secret the code was checked against (a set-up started again since
    # replaced it).
    if not User.objects(id=user.id, two_factor__secret=user.two_factor.secret,
                        two_factor__enabled_at=None).update_one(
            set__two_factor__enabled_at=clock.now(), set__two_factor__last_step=step,
            set__two_factor__recovery_code_hashes=[secret_digest(c) for c in codes]):
        abort(409, message="The set-up changed meanwhile; start it again.")
    user.reload()
    return codes


def disable(user, code):
    """Turn two-factor sign-in off; needs a current code or a recovery code (the password is
    checked by the caller)."""
    if not user.two_factor_enabled:
        abort(409, message="Two-factor sign-in is not on.")
    if not _spend_code(user, code):
        abort(422, message="This code is not valid.", errors={"code": ["Wrong or used code."]})
    user.modify(unset__two_factor=True)


def require_second_factor(user, otp):
    """The second step of a password sign-in: nothing when two-factor sign-in is off; else a
    401 naming `otp` unless `otp` is a code not used before."""
    if not user.two_factor_enabled:
        return
    if not otp:
        abort(401, message="Enter the code from your authenticator app.",
              errors={"otp": ["Two-factor sign-in is on: send the code from your app, or a "
                              "recovery code."]})
    if not _spend_code(user, otp):
        abort(401, message="This code is not valid; try the one your app shows now.",
              errors={"otp": ["Wrong, expired or already used code."]})


def _spend_code(user, code):
    """Accept `code` once: a TOTP code newer than the last accepted, or an unused recovery
    code (removed). One conditional update each, so two requests cannot both spend it."""
    two_factor = user.two_factor
    step = _totp_step(two_factor, code)
    if step is not None:
        return bool(User.objects(id=user.id, two_factor__last_step__lt=step).update_one(
            set__two_factor__last_step=step))
    digest = secret_digest(_normalised_recovery_code(code))
    return bool(User.objects(id=user.id, two_factor__recovery_code_hashes=digest).update_one(
        pull__two_factor__recovery_code_hashes=digest))


def _totp_step(two_factor, code):
    """The time step whose code `code` is (now, give or take DRIFT_STEPS), newer than the last
    accepted one; None otherwise."""
    code = "".join(code.split())
    secret = _secret(two_factor)
    if secret is None or not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(clock.now().replace(tzinfo=timezone.utc).timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > two_factor.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _secret(two_factor):
    """The plain secret; None if it was encrypted under another SECRET_KEY (then only the
    recovery codes work)."""
    try:
        return _fernet().decrypt(two_factor.secret.encode()).decode()
    except InvalidToken:
        current_app.logger.error("a two-factor secret cannot be decrypted (SECRET_KEY changed?)")
        return None


def _fernet():
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"vitrine two-factor secrets").derive(
        current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _recovery_code():
    characters = [secrets.choice(RECOVERY_ALPHABET)
                  for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH)]
    return "-".join("".join(characters[start:start + RECOVERY_GROUP_LENGTH])
                    for start in range(0, len(characters), RECOVERY_GROUP_LENGTH))


def _normalised_recovery_code(code):
    """As typed: any case, with or without the dashes and spaces."""
    plain = "".join(code.lower().replace("-", "").split())
    return "-".join(plain[start:start + RECOVERY_GROUP_LENGTH]
                    for start in range(0, len(plain), RECOVERY_GROUP_LENGTH))
