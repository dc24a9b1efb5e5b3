"""Sign-in bodies with the choice of where the session's tokens go (app/session_cookies.py)."""
from marshmallow import fields, validate

from .auth import LoginSchema, RegisterSchema
from .common import StrictSchema

SESSION_KINDS = ("token", "cookie")


class SessionChoiceSchema(StrictSchema):
    session = fields.String(
        load_default="token", validate=validate.OneOf(SESSION_KINDS),
        metadata={"description": '"token" (default): the tokens are in the JSON answer. '
                                 '"cookie" (browsers): they are set as HttpOnly cookies and left '
                                 'out of the JSON; unsafe methods then need the X-CSRF-TOKEN '
                                 'header (the csrf_access_token cookie\'s value).'})


class SessionLoginSchema(LoginSchema, SessionChoiceSchema):
    pass


class SessionRegisterSchema(RegisterSchema, SessionChoiceSchema):
    pass
