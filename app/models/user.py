from datetime import datetime, timezone

from mongoengine import (
    DateTimeField, Document, EmailField, EmbeddedDocument, EmbeddedDocumentListField,
    ReferenceField, StringField, CASCADE,
)


def utcnow():
    """Naive UTC, as MongoDB stores it (the schemas add the `Z`)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class OAuthIdentity(EmbeddedDocument):
    provider = StringField(required=True, choices=("google", "linkedin"))
    subject = StringField(required=True, max_length=255)
    linked_at = DateTimeField(default=utcnow)


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
