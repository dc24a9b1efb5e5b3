from datetime import timezone

from flask_smorest.error_handler import ErrorSchema
from marshmallow import RAISE, Schema, fields, validate

# MongoDB stores 64-bit integers; a bigger one in a query or a document is an OverflowError.
MAX_INT64 = 2 ** 63 - 1


class StrictSchema(Schema):
    """Request bodies refuse fields they do not know (422), so nothing unexpected is stored,
    and integers MongoDB cannot hold (422, documented as the field's bounds)."""

    class Meta:
        unknown = RAISE
        ordered = True

    def on_bind_field(self, field_name, field_obj):
        if isinstance(field_obj, fields.Integer):
            field_obj.validators.append(validate.Range(min=-MAX_INT64 - 1, max=MAX_INT64))


class UTCDateTime(fields.DateTime):
    """ISO 8601 in UTC with a `Z`, whatever MongoDB handed back (naive UTC)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat(timespec="seconds") + "Z"

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
        return parsed


class ObjectIdString(fields.String):
    """A document id as the API shows it: 24 hex characters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Regexp(r"^[0-9a-f]{24}$", error="Not a valid id."))
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


class VersionConflictSchema(ErrorSchema):
    """The 409 of a write based on a stale version: the error shape and the current version."""
    current_version = fields.Integer()
    version = fields.Integer(metadata={"description": "Same as current_version."})


class PaginationQuerySchema(StrictSchema):
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class PaginationSchema(Schema):
    offset = fields.Integer()
    limit = fields.Integer()
    total = fields.Integer()


def page_of(item_schema):
    """The contract's list shape `{data: [...], pagination: {...}}` for a given item schema."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return type(name, (Schema,), {
        "data": fields.List(fields.Nested(item_schema)),
        "pagination": fields.Nested(PaginationSchema),
    })


class StrictBoolean(fields.Boolean):
    """Only JSON true/false: "yes", 1 or "false" are refused rather than guessed."""
    truthy = {True}
    falsy = {False}

    def _deserialize(self, value, attr, data, **kwargs):
        # 1 == True and 0 == False (and hash alike), so the sets above alone let them in.
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
