"""Account rules: registration, credential checks, profile changes, deletion."""
from flask_smorest import abort
from mongoengine.errors import NotUniqueError

from ..models import AuthSession, User
from ..models.user import utcnow
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
    require_password(user, current_password, "current_password")
    check_new_password(new_password, user.email, field="new_password")
    user.update(set__password_hash=hash_password(new_password), set__updated_at=utcnow())


def update_profile(user, changes):
    if changes:
        user.modify(**changes, updated_at=utcnow())
    return user


def delete_account(user, password):
    """Remove the user and everything they own. Each data area registers its own cleanup."""
    require_password(user, password, "password")
    for cleanup in ACCOUNT_CLEANUPS:
        cleanup(user)
    AuthSession.objects(user=user).delete()
    user.delete()


# Functions `cleanup(user)` that delete a user's data in one area (portfolios, files, visits...).
ACCOUNT_CLEANUPS = []
