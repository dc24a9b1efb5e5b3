from marshmallow import fields, validate

from .common import ObjectIdString, Schema, StrictSchema, UTCDateTime

EMAIL_MAX = 254
NAME_MAX = 120


class Email(fields.Email):
    """An email address, validated, length-limited and normalised (stripped, lower-case)."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Length(max=EMAIL_MAX), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()


class FullName(fields.String):
    def __init__(self, **kwargs):
        super().__init__(validate=validate.Length(min=1, max=NAME_MAX), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class RegisterSchema(StrictSchema):
    email = Email(required=True)
    # The policy (length, not the email, not common) is checked in services.passwords.
    password = fields.String(required=True, load_only=True)
    full_name = FullName(required=True)


class LoginSchema(StrictSchema):
    email = Email(required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024))


class LogoutSchema(StrictSchema):
    refresh_token = fields.String(validate=validate.Length(max=4096))


class PasswordChangeSchema(StrictSchema):
    current_password = fields.String(required=True, validate=validate.Length(max=1024))
    new_password = fields.String(required=True)


class DeleteAccountSchema(StrictSchema):
    # `password` for accounts that have one; `confirm: "DELETE"` for those created with Google or
    # LinkedIn (services.accounts.delete_account decides which is required).
    password = fields.String(validate=validate.Length(max=1024))
    confirm = fields.String(validate=validate.Equal("DELETE"))


class OAuthIdentitySchema(Schema):
    provider = fields.String()
    linked_at = UTCDateTime()


class UserSchema(Schema):
    id = ObjectIdString(dump_only=True)
    email = fields.String()
    full_name = fields.String()
    photo_url = fields.String(allow_none=True)
    has_password = fields.Function(lambda user: bool(user.password_hash))
    oauth_providers = fields.Function(lambda user: [i.provider for i in user.oauth_identities])
    created_at = UTCDateTime()
    last_login_at = UTCDateTime(allow_none=True)


class UserUpdateSchema(StrictSchema):
    full_name = FullName()
    photo_url = fields.Url(schemes={"http", "https"}, allow_none=True,
                           validate=validate.Length(max=2048))


class TokenPairSchema(Schema):
    access_token = fields.String()
    refresh_token = fields.String()


class AuthResultSchema(TokenPairSchema):
    user = fields.Nested(UserSchema)
