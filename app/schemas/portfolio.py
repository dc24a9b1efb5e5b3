"""What the editor may send and what it gets back for a portfolio.

One schema per section item serves both ways: `id` is optional on input (a new item gets one).
"""
import re
from datetime import date

from marshmallow import ValidationError, fields, validate, validates_schema

from ..models.portfolio import (
    AUDIENCES, SECTIONS, AVAILABILITIES, DIPLOMA_LEVELS, EXPERIENCE_TYPES, LANGUAGES, PROJECT_TYPES,
    SKILL_CATEGORIES, SKILL_LEVELS, TEMPLATES, TRAINING_TYPES, VISIBILITIES, Portfolio,
)
from .common import ObjectIdString, Schema, StrictBoolean, StrictSchema, UTCDateTime
from .stored import compile_dump

MAX_ITEMS_PER_SECTION = 100
MAX_LIST_ENTRIES = 50
LAYOUT_SECTIONS = ("profile", *SECTIONS, "proofs")
FONT_FAMILIES = ("system", "sans", "serif", "mono", "humanist", "geometric")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_HEX_COLOUR = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="Must be a colour like #1a2b3c.")


# C0 controls but tab and line breaks, and DEL: invisible in an editor, garbage in a PDF, a
# Word file or a JSON Resume export (NUL ends strings in C readers).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _printable(value):
    if _CONTROL_CHARACTERS.search(value):
        raise ValidationError("Must not contain control characters.")


def _not_blank(value):
    if not value.strip():
        raise ValidationError("Must not be blank.")


def Text(max_length, **kwargs):
    """A free-text field: trimmed by the templates, limited here."""
    return fields.String(validate=[validate.Length(max=max_length), _printable],
                         allow_none=True, **kwargs)


def Name(max_length, required=True):
    """What names a thing (an item's title, a portfolio's title…): some visible text."""
    return fields.String(required=required, validate=[validate.Length(min=1, max=max_length),
                                                      _printable, _not_blank])


def Choice(values, **kwargs):
    return fields.String(validate=validate.OneOf(values), allow_none=True, **kwargs)


def TextList(max_length, **kwargs):
    return fields.List(fields.String(validate=[validate.Length(max=max_length), _printable]),
                       validate=validate.Length(max=MAX_LIST_ENTRIES), **kwargs)


class PartialDate(fields.String):
    """A year (`2024`), a month (`2024-09`) or a day (`2024-09-15`)."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        match = _PARTIAL_DATE.match(value)
        if not match:
            raise ValidationError("Use YYYY, YYYY-MM or YYYY-MM-DD.")
        year, month, day = (int(part) if part else 1 for part in match.groups())
        try:
            date(year, month, day)
        except ValueError as exc:
            raise ValidationError(f"Not a real date: {exc}.") from exc
        return value


class HttpUrl(fields.Url):
    """http(s) only: no `javascript:`, `data:` or relative URLs reach a template."""

    def __init__(self, **kwargs):
        super().__init__(schemes={"http", "https"}, allow_none=True,
                         validate=validate.Length(max=2048), **kwargs)


class ItemSchema(StrictSchema):
    id = ObjectIdString()
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES), load_default="public")


class DatedItemSchema(ItemSchema):
    """An item with a period: the end may not come before the start."""
    date_pairs = (("start_date", "end_date"),)

    @validates_schema
    def dates_in_order(self, data, **kwargs):
        for start, end in self.date_pairs:
            # Partial ISO dates compare correctly as strings ("2024" < "2024-03").
            if data.get(start) and data.get(end) and data[end] < data[start]:
                raise ValidationError("Must not be before the start.", end)


class ProfileLinkSchema(ItemSchema):
    network = Name(40)
    url = HttpUrl(required=True)
    label = Text(120)


class DiplomaSchema(DatedItemSchema):
    title = Name(200)
    institution = Text(200)
    level = Choice(DIPLOMA_LEVELS)
    field = Text(200)
    start_date = PartialDate(allow_none=True)
    end_date = PartialDate(allow_none=True)
    grade = Text(200)
    description = Text(5000)
    url = HttpUrl()
    courses = TextList(200)


class CertificationSchema(DatedItemSchema):
    date_pairs = (("issued_date", "expiry_date"),)
    name = Name(200)
    issuer = Text(200)
    issued_date = PartialDate(allow_none=True)
    expiry_date = PartialDate(allow_none=True)
    credential_id = Text(200)
    credential_url = HttpUrl()


class ExperienceSchema(DatedItemSchema):
    role = Name(200)
    organisation = Text(200)
    type = Choice(EXPERIENCE_TYPES)
    location = Text(200)
    start_date = PartialDate(allow_none=True)
    end_date = PartialDate(allow_none=True)
    current = StrictBoolean()
    description = Text(5000)
    achievements = TextList(500)
    url = HttpUrl()
    organisation_summary = Text(500)


class TrainingSchema(DatedItemSchema):
    title = Name(200)
    provider = Text(200)
    type = Choice(TRAINING_TYPES)
    start_date = PartialDate(allow_none=True)
    end_date = PartialDate(allow_none=True)
    hours = fields.Float(allow_none=True, validate=validate.Range(min=0, max=100000))


class ProjectSchema(DatedItemSchema):
    name = Name(200)
    type = Choice(PROJECT_TYPES)
    summary = Text(500)
    description = Text(10000)
    technologies = TextList(60)
    features = TextList(500)
    challenges = Text(5000)
    role = Text(200)
    organisation = Text(200)
    start_date = PartialDate(allow_none=True)
    end_date = PartialDate(allow_none=True)
    repository_url = HttpUrl()
    demo_url = HttpUrl()
    video_url = HttpUrl()


class SkillSchema(ItemSchema):
    name = Name(100)
    category = Choice(SKILL_CATEGORIES)
    level = Choice(SKILL_LEVELS)
    justification = Text(2000)
    # Ids of items of the same portfolio that prove the skill (checked by the service: 422).
    project_ids = fields.List(ObjectIdString(), validate=validate.Length(max=MAX_LIST_ENTRIES))
    certification_ids = fields.List(ObjectIdString(),
                                    validate=validate.Length(max=MAX_LIST_ENTRIES))
    training_ids = fields.List(ObjectIdString(), validate=validate.Length(max=MAX_LIST_ENTRIES))
    keywords = TextList(60)


class LanguageSchema(ItemSchema):
    name = Name(100)
    # In the owner's words ("Native speaker", "C1", "Professional working proficiency").
    fluency = Text(100)


class VolunteerSchema(DatedItemSchema):
    organisation = Name(200)
    role = Text(200)
    url = HttpUrl()
    start_date = PartialDate(allow_none=True)
    end_date = PartialDate(allow_none=True)
    description = Text(5000)
    achievements = TextList(500)


class AwardSchema(ItemSchema):
    title = Name(200)
    awarder = Text(200)
    date = PartialDate(allow_none=True)
    description = Text(5000)


class PublicationSchema(ItemSchema):
    name = Name(300)
    publisher = Text(200)
    release_date = PartialDate(allow_none=True)
    url = HttpUrl()
    description = Text(5000)


class InterestSchema(ItemSchema):
    name = Name(100)
    keywords = TextList(60)


class ReferenceSchema(ItemSchema):
    # A reference names a third person: private unless the owner shows it.
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES), load_default="private")
    name = Name(200)
    position = Text(200)
    contact = Text(200)
    reference = Text(5000)


SECTION_SCHEMAS = {
    "profile-links": ProfileLinkSchema,
    "diplomas": DiplomaSchema,
    "certifications": CertificationSchema,
    "experiences": ExperienceSchema,
    "trainings": TrainingSchema,
    "projects": ProjectSchema,
    "skills": SkillSchema,
    "languages": LanguageSchema,
    "volunteer": VolunteerSchema,
    "awards": AwardSchema,
    "publications": PublicationSchema,
    "interests": InterestSchema,
    "references": ReferenceSchema,
}


class ProfileSchema(StrictSchema):
    """Every key may be null: a PATCH merges the profile, and null clears a key (contact
    visibility then returns to its default, recruiter)."""
    display_name = Text(120)
    title = Text(200)
    headline = Text(300)
    bio = Text(5000)
    location = Text(200)
    photo_proof_id = ObjectIdString(allow_none=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(allow_none=True,
                          validate=validate.Regexp(r"^[0-9+()./ -]{3,40}$",
                                                   error="Not a valid phone number."))
    contact_visibility = fields.String(validate=validate.OneOf(VISIBILITIES), allow_none=True)
    availability = Choice(AVAILABILITIES)


class ThemeSchema(StrictSchema):
    """Every key may be null: a PATCH merges the theme, and null clears a key."""
    primary_color = fields.String(validate=_HEX_COLOUR, allow_none=True)
    accent_color = fields.String(validate=_HEX_COLOUR, allow_none=True)
    background_color = fields.String(validate=_HEX_COLOUR, allow_none=True)
    text_color = fields.String(validate=_HEX_COLOUR, allow_none=True)
    heading_font = fields.String(validate=validate.OneOf(FONT_FAMILIES), allow_none=True)
    body_font = fields.String(validate=validate.OneOf(FONT_FAMILIES), allow_none=True)
    # An image proof of this portfolio (checked by the service).
    background_image_proof_id = ObjectIdString(allow_none=True)


class SectionStyleSchema(StrictSchema):
    background_color = fields.String(validate=_HEX_COLOUR)
    text_color = fields.String(validate=_HEX_COLOUR)
    heading_color = fields.String(validate=_HEX_COLOUR)
    font_size = fields.String(validate=validate.OneOf(("small", "normal", "large")))
    display = fields.String(validate=validate.OneOf(("list", "cards", "timeline", "compact")))


class LayoutSectionSchema(StrictSchema):
    section = fields.String(required=True, validate=validate.OneOf(LAYOUT_SECTIONS))
    column = fields.String(validate=validate.OneOf(("main", "side")), load_default="main")
    page = fields.Integer(validate=validate.Range(min=1, max=20), load_default=1)
    hidden = StrictBoolean(load_default=False)
    heading = fields.String(validate=validate.Length(max=80), allow_none=True)
    style = fields.Nested(SectionStyleSchema)


class LayoutSchema(StrictSchema):
    """The editor's arrangement: which sections show, in what order, where, in what style."""
    columns = fields.Integer(validate=validate.OneOf((1, 2)), load_default=1)
    sidebar = fields.String(validate=validate.OneOf(("left", "right")), load_default="right")
    density = fields.String(validate=validate.OneOf(("comfortable", "compact")))
    sections = fields.List(fields.Nested(LayoutSectionSchema),
                           validate=validate.Length(max=len(LAYOUT_SECTIONS)))

    @validates_schema
    def sections_once(self, data, **kwargs):
        names = [entry["section"] for entry in data.get("sections", [])]
        if len(names) != len(set(names)):
            raise ValidationError("Each section may appear only once.", "sections")


# The language of the words Vitrine adds around the owner's text on the published pages.
_LANGUAGE = {"validate": validate.OneOf(LANGUAGES), "metadata": {
    "description": f"ISO 639-1, one of {LANGUAGES}. On creation, defaults to the owner's "
                   "`language` setting, else `en`."}}
_SLUG = validate.Regexp(r"^[a-z0-9](?:[a-z0-9-]{1,58}[a-z0-9])$",
                        error="3 to 60 lowercase letters, digits and hyphens.")


class PortfolioCreateSchema(StrictSchema):
    title = Name(120)
    slug = fields.String(validate=_SLUG)
    template = fields.String(validate=validate.OneOf(TEMPLATES))
    description = Text(1000)
    language = fields.String(**_LANGUAGE)
    # A new portfolio is an unpublished draft unless the body says otherwise.
    is_private = StrictBoolean(load_default=True)


class _PortfolioContent(StrictSchema):
    title = Name(120, required=False)
    description = Text(1000)
    template = fields.String(validate=validate.OneOf(TEMPLATES))
    theme = fields.Nested(ThemeSchema)
    layout = fields.Nested(LayoutSchema)
    profile = fields.Nested(ProfileSchema)


# The section arrays, named as in the document (`links` is the "profile-links" section).
PortfolioContentSchema = type("PortfolioContentSchema", (_PortfolioContent,), {
    field_name: fields.List(fields.Nested(SECTION_SCHEMAS[section]),
                            validate=validate.Length(max=MAX_ITEMS_PER_SECTION))
    for section, (field_name, _) in SECTIONS.items()
})


class PortfolioPatchSchema(PortfolioContentSchema):
    """Autosave: any top-level field, whole section arrays; `version` guards lost updates."""
    slug = fields.String(validate=_SLUG)
    language = fields.String(**_LANGUAGE)
    is_private = StrictBoolean()
    # Set a password to protect the page, null to remove it.
    password = fields.String(allow_none=True, load_only=True,
                             validate=validate.Length(min=4, max=128))
    version = fields.Integer(validate=validate.Range(min=1))


class ProofSchema(Schema):
    id = ObjectIdString()
    item_type = fields.String()
    item_id = ObjectIdString(allow_none=True)
    title = fields.String(allow_none=True)
    visibility = fields.String()
    filename = fields.String(allow_none=True)
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    has_thumbnail = fields.Function(lambda proof: proof.thumbnail_file_id is not None)
    created_at = UTCDateTime()


class TrashedProofSchema(ProofSchema):
    trashed_at = UTCDateTime()
    # "item_removed": comes back by itself with a restore of a version holding its item.
    trash_reason = fields.String()


class ProofUploadSchema(StrictSchema):
    """The form fields of a proof upload (the file itself is the `file` part)."""
    # A section name ("projects") or its singular ("project"), or "profile" (no item_id).
    item_type = Name(40)
    item_id = ObjectIdString()
    title = fields.String(validate=validate.Length(max=200))
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES), load_default="private")


class ProofPatchSchema(StrictSchema):
    title = fields.String(validate=validate.Length(max=200), allow_none=True)
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES))
    item_type = fields.String(validate=validate.Length(min=1, max=40))
    item_id = ObjectIdString(allow_none=True)


class ProofFileQuerySchema(StrictSchema):
    thumbnail = fields.Boolean(load_default=False)


class StoredPortfolio(dict):
    """A portfolio as stored (its raw BSON values), which `PortfolioSchema` dumps as it dumps
    the MongoEngine document, without building it (app/schemas/stored.py)."""

    @property
    def version(self):
        return self["version"]


class PortfolioSchema(PortfolioPatchSchema):
    id = ObjectIdString()
    has_password = fields.Function(lambda portfolio: bool(portfolio.password_hash))
    proofs = fields.List(fields.Nested(ProofSchema))
    created_at = UTCDateTime()
    updated_at = UTCDateTime()

    def dump(self, obj, *, many=None):
        if not isinstance(obj, StoredPortfolio):
            return super().dump(obj, many=many)
        if not hasattr(self, "_dump_stored"):
            self._dump_stored = compile_dump(self, Portfolio)
        return self._dump_stored(obj)


class PortfolioSummarySchema(Schema):
    id = ObjectIdString()
    title = fields.String()
    description = fields.String(allow_none=True)
    slug = fields.String()
    template = fields.String()
    is_private = StrictBoolean()
    has_password = fields.Function(lambda portfolio: bool(portfolio.password_hash))
    version = fields.Integer()
    created_at = UTCDateTime()
    updated_at = UTCDateTime()


class ReorderSchema(StrictSchema):
    ids = fields.List(ObjectIdString(), required=True,
                      validate=validate.Length(max=MAX_ITEMS_PER_SECTION))


class VersionSummarySchema(Schema):
    version = fields.Integer()
    saved_at = UTCDateTime()
    reason = fields.String()
    size = fields.Integer()


class VersionSchema(VersionSummarySchema):
    content = fields.Nested(PortfolioContentSchema, attribute="as_portfolio")


class AudienceQuerySchema(StrictSchema):
    """`?audience=` of the exports: whose view of the portfolio the file holds."""
    audience = fields.String(validate=validate.OneOf(AUDIENCES),
                             load_default="owner")


class SlugAvailabilityQuerySchema(StrictSchema):
    slug = fields.String(required=True, validate=_SLUG)
    portfolio_id = ObjectIdString(metadata={
        "description": "The portfolio that would take the address (its own current and "
                       "recent addresses are available to it); none for a new portfolio."})


class SlugAvailabilitySchema(Schema):
    slug = fields.String()
    available = fields.Boolean(metadata={
        "description": "Whether a PATCH (or creation) with this slug would be accepted now."})
    message = fields.String(metadata={"description": "In words, to show beside the field."})
