"""What the AI assistant's routes take and give back (app/api/ai.py).

A draft is portfolio content under the API's own names (`profile`, `experiences`, `links`...),
its items as the section schemas accept them, without the fields a draft may never set.
"""
from marshmallow import ValidationError, fields, validate, validates_schema

from ..models.portfolio import SECTIONS
from .common import ObjectIdString, Schema, StrictSchema
from .portfolio import MAX_ITEMS_PER_SECTION, SECTION_SCHEMAS, ProfileSchema

# What a suggestion does to the text: rewrite it, shorten it, fix its spelling and grammar only,
# recast it around concrete achievements, translate it (into `target_language`).
INSTRUCTIONS = ("rewrite", "shorten", "fix_grammar", "concrete_achievements", "translate")
# merge: append the draft's items, fill the profile's empty fields; replace: the draft's sections
# replace the portfolio's, its profile fields overwrite theirs.
DRAFT_MODES = ("merge", "replace")
SUGGEST_SECTIONS = ("profile", *SECTION_SCHEMAS)
MAX_PROMPT_LENGTH = 5000
# Ids (new items get fresh ones; a skill's references would name items the model never saw),
# the photo (a proof) and who sees the contact details are never part of a draft.
NOT_IN_DRAFTS = ("id", "project_ids", "certification_ids", "training_ids", "photo_proof_id",
                 "contact_visibility")
_LANGUAGE_CODE = validate.Regexp(r"^[a-z]{2}$", error="An ISO 639-1 language code, like en or fr.")


def _draft_schema(schema_class):
    """`schema_class` without the fields NOT_IN_DRAFTS, under a name of its own (OpenAPI)."""
    excluded = tuple(name for name in NOT_IN_DRAFTS if name in schema_class._declared_fields)
    meta = type("Meta", (schema_class.Meta,), {"exclude": excluded})
    name = schema_class.__name__.removesuffix("Schema") + "DraftSchema"
    return type(name, (schema_class,), {"Meta": meta})


DRAFT_ITEM_SCHEMAS = {section: _draft_schema(schema) for section, schema in SECTION_SCHEMAS.items()}
ProfileDraftSchema = _draft_schema(ProfileSchema)

PortfolioDraftSchema = type("PortfolioDraftSchema", (StrictSchema,), {
    "profile": fields.Nested(ProfileDraftSchema),
    **{field: fields.List(fields.Nested(DRAFT_ITEM_SCHEMAS[section]),
                          validate=validate.Length(max=MAX_ITEMS_PER_SECTION))
       for section, (field, _) in SECTIONS.items()},
})


def text_fields(schema_class):
    """The fields of `schema_class` that hold free text (a role, a description, a bio): what the
    assistant may improve. Not choices, dates, links, ids, emails nor phone numbers."""
    return {name: field for name, field in schema_class().fields.items()
            if type(field) is fields.String and not any(
                isinstance(rule, (validate.OneOf, validate.Regexp)) for rule in field.validators)}


class AIDraftRequestSchema(StrictSchema):
    prompt = fields.String(required=True, validate=validate.Length(min=1, max=MAX_PROMPT_LENGTH),
                           metadata={"description": "The person's own words about their path: "
                                                    "studies, jobs, projects, skills."})
    language = fields.String(validate=_LANGUAGE_CODE, metadata={
        "description": "The language to write the content in (ISO 639-1); by default, the "
                       "prompt's."})


class AIDraftSchema(Schema):
    draft = fields.Nested(PortfolioDraftSchema, metadata={
        "description": "Content to preview, then to send as is to `.../ai/apply`; nothing is "
                       "stored. Only the sections the model filled are present."})
    warnings = fields.List(fields.String(), metadata={
        "description": "What the model produced that was left out, in words (an invalid item, "
                       "an unknown field)."})


class AIApplyRequestSchema(StrictSchema):
    draft = fields.Nested(PortfolioDraftSchema, required=True)
    mode = fields.String(required=True, validate=validate.OneOf(DRAFT_MODES), metadata={
        "description": "merge: append the draft's items and fill the profile's empty fields; "
                       "replace: the draft's sections replace the portfolio's (the version "
                       "before is kept in the history) and its profile fields overwrite theirs."})
    version = fields.Integer(validate=validate.Range(min=1), metadata={
        "description": "The version the draft is applied to, like If-Match (409 if stale)."})


class AISuggestRequestSchema(StrictSchema):
    section = fields.String(required=True, validate=validate.OneOf(SUGGEST_SECTIONS), metadata={
        "description": '"profile" or a section as in the URLs ("experiences", "profile-links").'})
    item_id = ObjectIdString(metadata={"description": "The item; required unless the section is "
                                                      '"profile".'})
    field = fields.String(validate=validate.Length(min=1, max=60), metadata={
        "description": "A text field of the item (or profile): `description`, `bio`, "
                       "`headline`, `role`... 422 for a field that is not free text. By "
                       "default the item's longest text field (bio for the profile)."})
    instruction = fields.String(required=True, validate=validate.OneOf(INSTRUCTIONS), metadata={
        "description": "rewrite (clearer, same facts), shorten, fix_grammar (spelling and "
                       "grammar only), concrete_achievements (actions and results, no invented "
                       "facts), translate (into `target_language`)."})
    target_language = fields.String(validate=_LANGUAGE_CODE, metadata={
        "description": "ISO 639-1 code; required with `translate`, refused otherwise."})

    @validates_schema
    def consistent(self, data, **kwargs):
        if data["section"] == "profile" and data.get("item_id"):
            raise ValidationError("The profile has no items: leave item_id out.", "item_id")
        if data["section"] != "profile" and not data.get("item_id"):
            raise ValidationError("Missing data for required field.", "item_id")
        if (data["instruction"] == "translate") != bool(data.get("target_language")):
            raise ValidationError("Required with translate, and only with it.", "target_language")


class AISuggestionsSchema(Schema):
    suggestions = fields.List(fields.String(), metadata={
        "description": "Replacements for the whole field's text, best first, each valid for "
                       "the field (its length limit); to insert or dismiss."})
