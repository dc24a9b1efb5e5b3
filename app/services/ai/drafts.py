"""Drafts: the model's answer made safe by the schemas that validate user input, and a draft
applied to a portfolio through the one versioned write (services.portfolios.write)."""
import json

from flask_smorest import abort
from marshmallow import ValidationError

from ...models.portfolio import SECTIONS
from ...schemas.ai import DRAFT_ITEM_SCHEMAS, NOT_IN_DRAFTS, ProfileDraftSchema
from ...schemas.portfolio import MAX_ITEMS_PER_SECTION
from .. import portfolios

# Document field of a section ("links") → its name in the URLs ("profile-links").
_SECTION_OF_FIELD = {field: section for section, (field, _) in SECTIONS.items()}


def clean_draft(answer):
    """`(draft, warnings)`: the model's `answer` as content `AIApplyRequestSchema` accepts.

    What the schemas refuse never passes: an invalid item is left out whole, a field no schema
    knows (`slug`, `$set`, `salary`) is left out, an invalid profile field is left out alone;
    `warnings` says each in words. Ids and what NOT_IN_DRAFTS names are dropped silently, as are
    null values and sections left empty. 502 when the answer is not an object or nothing in it
    is usable.
    """
    if not isinstance(answer, dict):
        abort(502, message="The AI provider's answer is not a portfolio draft (a JSON object); "
                           "try again.")
    draft, warnings = {}, []
    for key, value in answer.items():
        if key == "profile":
            profile = _cleaned(ProfileDraftSchema(), value, "profile", warnings, by_field=True)
            if profile:
                draft["profile"] = profile
        elif key in _SECTION_OF_FIELD:
            items = _cleaned_items(key, value, warnings)
            if items:
                draft[key] = items
        else:
            warnings.append(f"{_named(key)} is not part of a portfolio: left out.")
    if not draft:
        abort(502, message="The AI provider's answer held no usable portfolio content; try "
                           "again with more details.", extra={"warnings": warnings})
    return draft, warnings


def _named(key):
    return json.dumps(str(key)[:60], ensure_ascii=False)


def _cleaned_items(field, value, warnings):
    if not isinstance(value, list):
        warnings.append(f"{field} is not a list of items: left out.")
        return []
    if len(value) > MAX_ITEMS_PER_SECTION:
        warnings.append(f"{field}: only the first {MAX_ITEMS_PER_SECTION} items are kept.")
    schema = DRAFT_ITEM_SCHEMAS[_SECTION_OF_FIELD[field]]()
    items = (_cleaned(schema, item, f"{field}[{index}]", warnings)
             for index, item in enumerate(value[:MAX_ITEMS_PER_SECTION]))
    return [item for item in items if item]


def _cleaned(schema, value, where, warnings, by_field=False):
    """`value` as `schema` loads it, without unknown fields; when the schema refuses it, None
    (or with `by_field`, the valid fields alone), and why in `warnings`."""
    if not isinstance(value, dict):
        warnings.append(f"{where} is not an object: left out.")
        return None
    known = schema.load_fields
    for key in value:
        if key not in known and key not in NOT_IN_DRAFTS:
            warnings.append(f"{where}: {_named(key)} is not a field here: left out.")
    try:
        loaded = schema.load({key: item for key, item in value.items()
                              if key in known and item is not None})
    except ValidationError as exc:
        if not by_field:
            warnings.append(f"{where} is not valid ({_in_words(exc.messages)}): left out.")
            return None
        warnings += [f"{where}.{field} is not valid ({_in_words({field: messages})}): left out."
                     for field, messages in exc.messages.items()]
        loaded = exc.valid_data
    return {key: item for key, item in loaded.items() if item is not None}


def _in_words(messages):
    """marshmallow's error messages (nested dicts and lists) as one line."""
    parts = []
    for field, message in messages.items():
        while not isinstance(message, str):
            message = next(iter(message.values())) if isinstance(message, dict) else message[0]
        parts.append(f"{field}: {message}")
    return "; ".join(parts)


def apply_draft(portfolio_id, user, draft, mode, expected_version=None):
    """Write `draft` (validated by AIApplyRequestSchema) into the portfolio, as one new version.

    merge: the draft's items are appended (new ids), its profile fills the profile's empty
    fields. replace: the draft's sections replace the portfolio's, its profile fields overwrite
    theirs; the version before is kept in the history (`versions.removal`: reason "replace").
    Sections the draft does not hold, the address, privacy, password, template, theme, layout
    and proofs stay as they are (proofs of replaced items go to the trash, as for any removal).
    """
    profile = {key: value for key, value in (draft.get("profile") or {}).items()
               if value not in (None, "")}
    sections = {field: items for field, items in draft.items()
                if field in _SECTION_OF_FIELD and items}
    if not profile and not sections:
        abort(422, message="The draft holds nothing to apply.",
              errors={"draft": ["Holds no profile field and no item."]})

    def change(portfolio):
        changes = {}
        if profile:
            current = portfolio.profile.to_mongo().to_dict() if portfolio.profile else {}
            changes["profile"] = profile if mode == "replace" else {
                key: value for key, value in profile.items() if current.get(key) in (None, "")}
        for field, items in sections.items():
            kept = [item.to_mongo().to_dict() for item in getattr(portfolio, field)] \
                if mode == "merge" else []
            if len(kept) + len(items) > MAX_ITEMS_PER_SECTION:
                abort(422, message=f"{field} would hold more than {MAX_ITEMS_PER_SECTION} items.",
                      errors={"draft": {field: ["Too many items to merge."]}})
            changes[field] = kept + items
        return portfolios.apply_changes(portfolio, changes)
    return portfolios.write(portfolio_id, user, change, expected_version,
                            reason="replace" if mode == "replace" else "merge")
