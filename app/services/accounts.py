"""Account rules: registration, sign-in, the address and its verification, passwords and their
reset, two-factor sign-in on and off, profile changes, deletion, export.

Mail: registration mails a link proving the address (`verify_email`); a forgotten password
gets a reset link (`request_password_reset`, `reset_password`); a new address is confirmed by
a link sent to it, and the old one is told (`request_email_change`). The links are single-use
tokens (app/services/account_tokens.py).

What an unverified account may not do yet: create recruiter links (`require_verified_email`,
the one check). A recruiter link sends someone's CV to a third party from an address nobody
proved; everything else (editing, publishing, statistics) works from the first minute.
"""
import json
import tempfile
import zipfile

from flask import current_app
from flask_smorest import abort
from mongoengine.errors import NotUniqueError

from ..catalogues import N_
from ..models import AuthSession, User
from ..models.user import MAIL_NOTIFICATION_KINDS, utcnow
from ..schemas.auth import OAuthIdentitySchema, UserSchema
from .. import app_language
from . import account_tokens, auth_sessions, mail, two_factor
from .passwords import hash_password, needs_rehash, password_problems, verify_password

# Each feature that sends mail, by its setting (config.py MAIL_FEATURES), as named to users.
MAIL_FEATURE_NAMES = {"EMAIL_VERIFICATION_ENABLED": "Email verification",
                      "PASSWORD_RESET_ENABLED": "Password reset by email"}


def check_new_password(password, email, field="password"):
    problems = password_problems(password, email)
    if problems:
        abort(422, message=problems[0], errors={field: problems})


def _already_registered():
    abort(409, message="An account with this email already exists.",
          errors={"email": ["Already registered."]})


def register(email, password, full_name):
    check_new_password(password, email)
    if User.objects(email=email).count():
        _already_registered()
    try:
        user = User(email=email, full_name=full_name, password_hash=hash_password(password),
                    language=app_language.new_account_language()).save()
    except NotUniqueError:  # a concurrent registration won the race
        _already_registered()
    if current_app.config["EMAIL_VERIFICATION_ENABLED"]:
        _send_verification(user)
    return user


def sign_in(email, password, otp=None):
    """The user for these credentials, plus a code when two-factor sign-in is on (401 else)."""
    user = authenticate(email, password)
    if user is None:
        abort(401, message="Email or password is incorrect.")
    two_factor.require_second_factor(user, otp)
    return user


def authenticate(email, password):
    """The user for these credentials, or None. Costs the same whether or not the email exists."""
    user = User.objects(email=email).first()
    if not verify_password(user.password_hash if user else None, password):
        return None
    if needs_rehash(user.password_hash):
        user.update(set__password_hash=hash_password(password))
    return user


def require_password(user, password, field):
    if not verify_password(user.password_hash, password):
        abort(403, message="The password is not correct.", errors={field: ["Incorrect password."]})


def change_password(user, current_password, new_password):
    # An account created with Google or LinkedIn has no password to prove. Its first one takes
    # a proof of the address (a reset link), not just an access token that may have been stolen.
    if not user.password_hash:
        abort(422, message="This account signs in with Google or LinkedIn and has no password "
                           "to change: set one with a reset link (Forgot password? on "
                           "the sign-in page).",
              errors={"current_password": ["This account has no password."]})
    require_password(user, current_password, "current_password")
    check_new_password(new_password, user.email, field="new_password")
    user.update(set__password_hash=hash_password(new_password), set__updated_at=utcnow())


def update_profile(user, changes):
    if "mail_notifications" in changes:
        # Kept in a fixed order, each once, whatever the request's order.
        chosen = set(changes["mail_notifications"])
        changes["mail_notifications"] = [kind for kind in MAIL_NOTIFICATION_KINDS
                                         if kind in chosen]
    if changes:
        user.modify(**changes, updated_at=utcnow())
    return user


# --- the address -----------------------------------------------------------------------------

def require_mail_feature(setting):
    """404 when the feature named by `setting` (EMAIL_VERIFICATION_ENABLED...) is off."""
    if not current_app.config[setting]:
        abort(404, message=f"{MAIL_FEATURE_NAMES[setting]} is turned off on this server.")


def require_verified_email(user):
    """The one rule of unverified accounts (see the module docstring): 403 until verified."""
    if not user.email_verified and current_app.config["EMAIL_VERIFICATION_ENABLED"]:
        abort(403, message=f"Verify your email address first: open the link we sent to "
                           f"{user.email} (your account page can send a new one).")


def _mail_link(user, purpose, page, subject, template, to=None):
    """Mail `user` (at `to`, default their address) a single-use link to `page`."""
    token = account_tokens.issue(user, purpose, email=to)
    mail.send(to or user.email, subject, template, mail.requester_language(user), user=user,
              link=mail.link(page, token=token), valid_for=account_tokens.LIFETIMES[purpose])


def _send_verification(user):
    _mail_link(user, "verify_email", "/verify-email", N_("Confirm your email address"),
               "verify_email")


def resend_verification(user):
    require_mail_feature("EMAIL_VERIFICATION_ENABLED")
    if user.email_verified:
        abort(409, message="Your email address is already verified.")
    _send_verification(user)


def verify_email(token):
    """Redeem a link proving an address: the account's own, or a new one it moves to."""
    require_mail_feature("EMAIL_VERIFICATION_ENABLED")
    found = account_tokens.redeem(token, ("verify_email", "change_email"),
                                  check=_new_address_still_free)
    if found.purpose == "change_email":
        return _move_to(found.user, found.email)
    mark_email_verified(found.user)
    return found.user


def mark_email_verified(user):
    """Record that the address is the owner's (a mailed link opened; seeded accounts)."""
    if user.email_verified_at is None:
        user.modify(email_verified_at=utcnow())


def request_email_change(user, new_email, password):
    """Mail a confirmation link to `new_email`; the account keeps its address until it is
    opened. Needs the password: a stolen session alone must not move the account."""
    require_mail_feature("EMAIL_VERIFICATION_ENABLED")
    if not user.password_hash:
        abort(409, message="Set a password first (with a reset link from the sign-in page): "
                           "changing the address needs it.")
    require_password(user, password, "password")
    if new_email == user.email:
        abort(422, message="This is already your address.",
              errors={"email": ["This is already your address."]})
    if User.objects(email=new_email).count():
        _already_registered()
    _mail_link(user, "change_email", "/verify-email", N_("Confirm your new email address"),
               "confirm_new_email", to=new_email)


def _new_address_still_free(found):
    if found.purpose == "change_email" and User.objects(email=found.email).count():
        _new_address_taken()


def _new_address_taken():
    abort(409, message="Another account uses this address now.",
          errors={"token": ["The address is taken."]})


def _move_to(user, new_email):
    old_email = user.email
    try:
        user.modify(email=new_email, email_verified_at=utcnow(), updated_at=utcnow())
    except NotUniqueError:  # taken between the check and now
        _new_address_taken()
    mail.send(old_email, N_("Your email address was changed"), "email_changed",
              mail.requester_language(user), user=user, old_email=old_email, new_email=new_email)
    return user


# --- a forgotten password --------------------------------------------------------------------

def request_password_reset(email):
    """Mail a reset link if an account has this address; the caller says the same either way.
    An account without a password (Google, LinkedIn) sets its first one the same way."""
    require_mail_feature("PASSWORD_RESET_ENABLED")
    user = User.objects(email=email).first()
    if user is None:
        return
    _mail_link(user, "reset_password", "/reset-password", N_("Choose a new password"),
               "reset_password")


def reset_password(token, new_password):
    """Set the password with a reset link; every session opened before ends. The link
    proves the address too."""
    require_mail_feature("PASSWORD_RESET_ENABLED")
    found = account_tokens.redeem(token, ("reset_password",), check=lambda found: (
        check_new_password(new_password, found.user.email, field="new_password")))
    found.user.modify(password_hash=hash_password(new_password), updated_at=utcnow())
    mark_email_verified(found.user)
    auth_sessions.revoke_user_sessions(found.user, "password reset")


# --- two-factor sign-in ----------------------------------------------------------------------

def turn_off_two_factor(user, password, code):
    require_password(user, password, "password")
    two_factor.disable(user, code)


def delete_account(user, password=None, confirm=None):
    """Remove the user and everything they own. Each data area registers its own cleanup.

    The password confirms; an account without one (created with Google or LinkedIn) confirms
    with `confirm="DELETE"` instead.
    """
    if user.password_hash:
        if password is None:
            abort(422, message="Your password is required to delete the account.",
                  errors={"password": ["Missing data for required field."]})
        require_password(user, password, "password")
    elif confirm != "DELETE":
        abort(422, message='This account has no password: send {"confirm": "DELETE"} to delete it.',
              errors={"confirm": ['Send "DELETE" to confirm.']})
    for cleanup in ACCOUNT_CLEANUPS:
        cleanup(user)
    AuthSession.objects(user=user).delete()
    user.delete()


# Functions `cleanup(user)` that delete a user's data in one area (portfolios, files, visits...).
ACCOUNT_CLEANUPS = []

# Beyond this size the export archive is written to a temporary file instead of memory.
EXPORT_MEMORY_BYTES = 16 * 1024 * 1024


def export_account(user):
    """A ZIP of everything the account holds, as a binary file object positioned at its start.

    `user.json` is written here; every other data area adds its own files through
    ACCOUNT_EXPORTERS. The caller closes the file (Flask's send_file does).
    """
    archive_file = tempfile.SpooledTemporaryFile(max_size=EXPORT_MEMORY_BYTES)
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("user.json", json.dumps(_user_export(user), indent=2, ensure_ascii=False))
        for exporter in ACCOUNT_EXPORTERS:
            exporter(user, archive)
    archive_file.seek(0)
    return archive_file


def _user_export(user):
    """The account as GET /auth/me shows it, plus its sign-in identities (no password hash)."""
    document = UserSchema().dump(user)
    document["oauth_identities"] = [
        {**OAuthIdentitySchema().dump(identity), "subject": identity.subject}
        for identity in user.oauth_identities
    ]
    return document


# Functions `exporter(user, archive)` that add one area's files to the export archive
# (a `zipfile.ZipFile` open for writing), under a folder named after the area.
ACCOUNT_EXPORTERS = []
