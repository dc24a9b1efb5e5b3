"""A recruiter's secret link to one portfolio: expiring, revocable, counted.

Only the SHA-256 of the token is stored, so a database dump never reveals a usable link.
"""
from mongoengine import DateTimeField, Document, IntField, ObjectIdField, StringField

from .user import utcnow


class RecruiterLink(Document):
    portfolio = ObjectIdField(required=True)
    owner = ObjectIdField(required=True)
    label = StringField(required=True, max_length=120)
    token_hash = StringField(required=True, unique=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(required=True)
    revoked_at = DateTimeField()
    access_count = IntField(default=0, min_value=0)
    first_access_at = DateTimeField()
    last_access_at = DateTimeField()

    @property
    def status(self):
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= utcnow() else "active"

    meta = {
        "collection": "recruiter_links",
        # expires_at: the hourly expiry notices look for links ending within two days.
        "indexes": [{"fields": ["portfolio", "-created_at"]}, "expires_at"],
    }
