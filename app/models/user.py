from datetime import datetime, timezone

from mongoengine import (
    DateTimeField, Document, EmailField, EmbeddedDocument, EmbeddedDocumentField,
    EmbeddedDocumentListField, IntField, ListField, ReferenceField, StringField, CASCADE,
)

from .languages import LANGUAGES

# The in-app notifications an owner may also receive by mail (opt-in, one switch each).
MAIL_NOTIFICATION_KINDS = ("recruiter_link_opened", "daily_digest", "recruiter_link_expiring")
# What a single-use link sent by mail is for (AccountToken.purpose).
TOKEN_PURPOSES = ("verify_email", "change_email", "reset_password")


def utcnow():
    """Naive UTC, as MongoDB stores it (the schemas add the `Z`)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class OAuthIdentity(EmbeddedDocument):
    provider = StringField(required=True, choices=("google", "linkedin"))
    subject = StringField(required=True, max_length=255)
    linked_at = DateTimeField(default=utcnow)


class TwoFactor(EmbeddedDocument):
    """Two-factor sign-in with a TOTP app (app/services/two_factor.py)."""
    # The shared TOTP secret, encrypted with a key derived from SECRET_KEY (Fernet).
    secret = StringField(required=True)
    # None while being set up: sign-in asks for a code only once the owner proved their app
    # produces the right codes.
    enabled_at = DateTimeField()
    # The time step (Unix time // 30) of the last code accepted: a code, or an older one, is
    # accepted once.
    last_step = IntField(default=0)
    # SHA-256 of each unused recovery code; a code used is removed.
    recovery_code_hashes = ListField(StringField())


class User(Document):
    # Stored normalised (stripped, lower-case) so uniqueness is case-insensitive.
    email = EmailField(required=True, unique=True, max_length=254)
    full_name = StringField(required=True, max_length=120)
    password_hash = StringField()
    photo_url = StringField(max_length=2048)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    last_login_at = DateTimeField()
    oauth_identities = EmbeddedDocumentListField(OAuthIdentity)
    # When the owner proved the address is theirs (a link mailed to it, or a provider that
    # verified it); None until then.
    email_verified_at = DateTimeField()
    two_factor = EmbeddedDocumentField(TwoFactor)
    mail_notifications = ListField(StringField(choices=MAIL_NOTIFICATION_KINDS))
    # The app's language and new portfolios' default; unset: the browser's Accept-Language.
    language = StringField(choices=LANGUAGES)

    @property
    def email_verified(self):
        return self.email_verified_at is not None

    @property
    def two_factor_enabled(self):
        return bool(self.two_factor and self.two_factor.enabled_at)

    meta = {
        "collection": "users",
        "indexes": [
            {"fields": ["oauth_identities.provider", "oauth_identities.subject"], "sparse": True},
        ],
    }


class AuthSession(Document):
    """One signed-in device: a refresh-token family.

    Every access and refresh token carries the session id (`sid` claim). Revoking the session
    (logout, password change, detected refresh-token reuse) kills all its tokens at once, on every
    app server, and survives restarts because it lives in MongoDB. `current_refresh_jti` is the
    only refresh token of the family that may still be spent.
    """
    user = ReferenceField(User, required=True, reverse_delete_rule=CASCADE)
    current_refresh_jti = StringField(required=True)
    created_at = DateTimeField(default=utcnow)
    last_refreshed_at = DateTimeField()
    revoked_at = DateTimeField()
    revoked_reason = StringField()
    user_agent = StringField(max_length=256)
    # The TTL index removes a session once its refresh token could no longer be used.
    expires_at = DateTimeField(required=True)

    meta = {
        "collection": "auth_sessions",
        "indexes": [
            "user",
            {"fields": ["expires_at"], "expireAfterSeconds": 0},
        ],
    }


class AccountToken(Document):
    """A single-use, expiring link sent by mail: verify an address, confirm a new one, reset
    the password. Only the token's SHA-256 is stored (app/services/account_tokens.py)."""
    token_hash = StringField(required=True, unique=True)
    # Deleting the user deletes its tokens (CASCADE).
    user = ReferenceField(User, required=True, reverse_delete_rule=CASCADE)
    purpose = StringField(required=True, choices=TOKEN_PURPOSES)
    # The address the link was sent to: for a new address, the one it confirms; otherwise the
    # token only works while the account still has this address.
    email = StringField(required=True)
    created_at = DateTimeField(required=True)
    used_at = DateTimeField()
    # The TTL index removes the token once it can no longer be used.
    expires_at = DateTimeField(required=True)

    meta = {
        "collection": "account_tokens",
        "indexes": [
            ("user", "purpose"),
            {"fields": ["expires_at"], "expireAfterSeconds": 0},
        ],
    }
