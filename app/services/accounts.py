"""Account rules: registration, credential checks, profile changes, deletion, export."""
import json
import tempfile
import zipfile

from flask_smorest import abort
from mongoengine.errors import NotUniqueError

from ..models import AuthSession, User
from ..models.user import utcnow
from ..schemas.auth import OAuthIdentitySchema, UserSchema
from .passwords import hash_password, needs_rehash, password_problems, verify_password


def check_new_password(password, email, field="password"):
    problems = password_problems(password, email)
    if problems:
        abort(422, message=problems[0], errors={field: problems})


def register(email, password, full_name):
    check_new_password(password, email)
    if User.objects(email=email).count():
        abort(409, message="An account with this email already exists.",
              errors={"email": ["Already registered."]})
    try:
        return User(email=email, full_name=full_name, password_hash=hash_password(password)).save()
    except NotUniqueError:  # a concurrent registration won the race
        abort(409, message="An account with this email already exists.",
              errors={"email": ["Already registered."]})


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
    # An account created with Google or LinkedIn has no password to prove. Setting a first one
    # should take a proof of the email (a reset link, not built yet), not just an access token
    # that may have been stolen.
    if not user.password_hash:
        abort(422, message="This account signs in with Google or LinkedIn and has no password "
                           "to change.",
              errors={"current_password": ["This account has no password."]})
    require_password(user, current_password, "current_password")
    check_new_password(new_password, user.email, field="new_password")
    user.update(set__password_hash=hash_password(new_password), set__updated_at=utcnow())


def update_profile(user, changes):
    if changes:
        user.modify(**changes, updated_at=utcnow())
    return user


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
