"""Suggestions: the text of a portfolio the model is asked to improve, and its answer made safe
(each suggestion a valid value of that field)."""
from dataclasses import dataclass

from flask_smorest import abort
from marshmallow import ValidationError, fields, validate

from ...schemas.ai import text_fields
from ...schemas.portfolio import SECTION_SCHEMAS, ProfileSchema
from .. import portfolios
from .prompts import MAX_SUGGESTIONS


@dataclass(frozen=True)
class Target:
    name: str
    field: fields.Field
    text: str
    context: dict  # the other texts of the same item (or profile), for the model to go by


def max_length(field):
    return max((rule.max for rule in field.validators
                if isinstance(rule, validate.Length) and rule.max), default=0)


def target_text(portfolio, section, item_id=None, field_name=None):
    """The text to improve: field `field_name` of the item `item_id` of `section` (or of the
    profile), by default its longest text field (the bio, a description). 404 for an unknown
    item; 422 for a field that is not free text (`text_fields`), or is empty."""
    if section == "profile":
        holder, schema_class = portfolio.profile, ProfileSchema
    else:
        holder = portfolios.find_item(portfolio, section, item_id)
        schema_class = SECTION_SCHEMAS[section]
    texts = text_fields(schema_class)
    name = field_name or max(texts, key=lambda candidate: max_length(texts[candidate]))
    if name not in texts:
        abort(422, message=f"'{name}' is not a text field of {section}; these are: "
                           f"{', '.join(texts)}.", errors={"field": ["Not a text field here."]})
    text = getattr(holder, name, None)
    if not (text or "").strip():
        abort(422, message=f"'{name}' is empty: there is no text to improve yet.",
              errors={"field": ["Empty."]})
    context = {other: getattr(holder, other) for other in texts
               if other != name and getattr(holder, other, None)}
    return Target(name, texts[name], text, context)


def clean_suggestions(answer, field):
    """The model's suggestions that are valid values of `field` (not blank, within its length
    limit), trimmed, without repeats, best first: at most MAX_SUGGESTIONS. 502 when none is."""
    offered = answer.get("suggestions") if isinstance(answer, dict) else None
    if not isinstance(offered, list):
        abort(502, message="The AI provider's answer is not a list of suggestions; try again.")
    kept = []
    for text in offered:
        text = text.strip() if isinstance(text, str) else ""
        if text and text not in kept and _valid(field, text):
            kept.append(text)
    if not kept:
        abort(502, message="The AI provider gave no usable suggestion; try again.")
    return kept[:MAX_SUGGESTIONS]


def _valid(field, text):
    try:
        field.deserialize(text)
    except ValidationError:
        return False
    return True
