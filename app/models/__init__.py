"""MongoEngine documents. Marshmallow schemas (app/schemas) decide what goes in and out of the API."""
from .recruiter_link import RecruiterLink
from .user import AccountToken, AuthSession, OAuthIdentity, User

__all__ = ["AccountToken", "AuthSession", "OAuthIdentity", "RecruiterLink", "User"]
