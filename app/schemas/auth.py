from marshmallow import fields, validate

from ..models.user import LANGUAGES, MAIL_NOTIFICATION_KINDS
from .common import ObjectIdString, Schema, StrictSchema, UTCDateTime

EMAIL_MAX = 254
NAME_MAX = 120
# Longer than any token, TOTP code or recovery code the server hands out.
TOKEN_MAX = 200
CODE_MAX = 64


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
    otp = fields.String(load_only=True, validate=validate.Length(max=CODE_MAX), metadata={
        "description": "With two-factor sign-in on: the code the authenticator app shows, or an "
                       "unused recovery code. Without it such an account's sign-in is a 401 "
                       "whose `errors` names `otp`."})


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
    email_verified = fields.Boolean(metadata={
        "description": "The owner opened the link mailed to the address (or a provider "
                       "verified it). Until then the account cannot create recruiter links."})
    full_name = fields.String()
    photo_url = fields.String(allow_none=True)
    has_password = fields.Function(lambda user: bool(user.password_hash))
    oauth_providers = fields.Function(lambda user: [i.provider for i in user.oauth_identities])
    two_factor_enabled = fields.Boolean()
    recovery_codes_left = fields.Function(
        lambda user: len(user.two_factor.recovery_code_hashes) if user.two_factor else 0)
    mail_notifications = fields.List(fields.String(), metadata={
        "description": f"The notifications also sent by mail: any of {MAIL_NOTIFICATION_KINDS}."})
    language = fields.String(allow_none=True, metadata={
        "description": "The app's language and new portfolios' default; null: the browser's."})
    created_at = UTCDateTime()
    last_login_at = UTCDateTime(allow_none=True)


class UserUpdateSchema(StrictSchema):
    full_name = FullName()
    photo_url = fields.Url(schemes={"http", "https"}, allow_none=True,
                           validate=validate.Length(max=2048))
    mail_notifications = fields.List(
        fields.String(validate=validate.OneOf(MAIL_NOTIFICATION_KINDS)),
        validate=validate.Length(max=len(MAIL_NOTIFICATION_KINDS)), metadata={
            "description": "The notifications to receive by mail too (opt-in), replacing the "
                           "list: each mail has a one-click unsubscribe link."})
    language = fields.String(validate=validate.OneOf(LANGUAGES), allow_none=True, metadata={
        "description": f"One of {LANGUAGES}, or null for the browser's language."})


class TokenSchema(StrictSchema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=TOKEN_MAX),
                          metadata={"description": "The `token` of the link in the mail."})


class EmailVerifiedSchema(Schema):
    email = fields.String()
    email_verified = fields.Boolean()


class EmailChangeSchema(StrictSchema):
    email = Email(required=True, metadata={"description": "The new address."})
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024))


class PasswordForgotSchema(StrictSchema):
    email = Email(required=True)


class PasswordResetSchema(TokenSchema):
    new_password = fields.String(required=True)


class MailQueuedSchema(Schema):
    message = fields.String()


class TwoFactorSetupSchema(Schema):
    secret = fields.String(metadata={"description": "Base32, to type into the app."})
    otpauth_uri = fields.String()
    qr_code = fields.String(metadata={"description": "The otpauth URI as a QR code: an SVG "
                                                     "data URI for an <img>."})


class TwoFactorCodeSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=CODE_MAX))


class TwoFactorDisableSchema(TwoFactorCodeSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024))


class RecoveryCodesSchema(Schema):
    recovery_codes = fields.List(fields.String(), metadata={
        "description": "Each signs in once instead of a code; shown this once."})


class TokenPairSchema(Schema):
    access_token = fields.String()
    refresh_token = fields.String()


class AuthResultSchema(TokenPairSchema):
    user = fields.Nested(UserSchema)
