"""Recruiter links in and out, and the documented shape of a public or recruiter view."""
from marshmallow import fields, validate

from ..models.portfolio import SECTIONS
from ..services.publishing import MAX_LINK_DAYS
from .common import ObjectIdString, Schema, StrictSchema, UTCDateTime
from .portfolio import SECTION_SCHEMAS, LayoutSchema, ProfileSchema, ProofSchema, ThemeSchema


class RecruiterLinkCreateSchema(StrictSchema):
    label = fields.String(required=True, validate=validate.Length(min=1, max=120))
    # One or the other (default: 14 days); the service refuses both at once.
    expires_in_days = fields.Integer(validate=validate.Range(min=1, max=MAX_LINK_DAYS))
    expires_at = UTCDateTime(metadata={"description": "Future, within 365 days."})


class RecruiterLinkSchema(Schema):
    """A link as its owner lists it: never the token, never its hash."""
    id = ObjectIdString()
    label = fields.String()
    status = fields.String(metadata={"enum": ["active", "expired", "revoked"]})
    created_at = UTCDateTime()
    expires_at = UTCDateTime()
    revoked_at = UTCDateTime(allow_none=True)
    access_count = fields.Integer()
    first_access_at = UTCDateTime(allow_none=True)
    last_access_at = UTCDateTime(allow_none=True)
    # From the audience statistics: counted views only (no bots, owner or 30-minute repeats).
    views = fields.Integer(metadata={"description": "Counted page views (statistics)."})
    downloads = fields.Integer(metadata={"description": "Counted PDF and proof downloads."})
    first_view_at = UTCDateTime(allow_none=True)
    last_view_at = UTCDateTime(allow_none=True)


class RecruiterLinkCreatedSchema(RecruiterLinkSchema):
    """The answer to a creation: the only time the token and its URL are shown."""
    url = fields.String(metadata={"description": "Absolute URL of the recruiter page."})
    token = fields.String()


class ViewProofSchema(ProofSchema):
    class Meta:
        exclude = ("sha256",)


# What `portfolio_view` returns (documentation: the views answer that data as it is). Sections
# with nothing visible are absent; public views carry no `visibility` on items.
PortfolioViewSchema = type("PortfolioViewSchema", (Schema,), {
    "slug": fields.String(),
    "title": fields.String(),
    "description": fields.String(),
    "template": fields.String(),
    "theme": fields.Nested(ThemeSchema),
    "layout": fields.Nested(LayoutSchema),
    "updated_at": fields.String(metadata={"format": "date-time"}),
    "profile": fields.Nested(ProfileSchema),
    **{field: fields.List(fields.Nested(SECTION_SCHEMAS[section]))
       for section, (field, _) in SECTIONS.items()},
    "proofs": fields.List(fields.Nested(ViewProofSchema)),
})
