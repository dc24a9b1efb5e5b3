"""Imports: a JSON Resume document or a LinkedIn data export (ZIP) becomes a new portfolio.

`import_portfolio(owner, upload, decode_json)` tells the two apart by their first bytes (never
by a file name); each reader gives `content`, shaped as the editor's PortfolioContentSchema
(title, profile, links, experiences…), and warnings. `create_from_content` is the one way in
for every source: the editor's own schemas validate the content, a field they refuse is left
out and an item missing what it needs is dropped, each said in a warning; nothing unvalidated
is stored. The portfolio is created by `portfolios.create` (limits, slug, private draft).
"""
import json

from flask import current_app
from flask_smorest import abort
from marshmallow import ValidationError

from ..models.portfolio import SECTION_FIELDS, SECTIONS, Profile
from ..schemas.portfolio import (
    MAX_ITEMS_PER_SECTION, SECTION_SCHEMAS, PortfolioContentSchema, ProfileSchema,
)
from ..schemas.transfer import JSON_RESUME, LINKEDIN
from . import jsonresume, linkedin, portfolios

# A LinkedIn export is a ZIP that may hold far more than the profile (messages, connections):
# uploads may be this big. A JSON document, however sent, is held to MAX_CONTENT_LENGTH.
MB = 1024 * 1024
IMPORT_UPLOAD_MAX_BYTES = 20 * MB
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
DEFAULT_TITLE = "Imported portfolio"
_PROFILE_SCHEMA = ProfileSchema()
# The top-level fields besides the profile and the sections (title, description, template…).
_TOP_SCHEMA = PortfolioContentSchema(exclude=("profile", *SECTION_FIELDS))
_ITEM_SCHEMAS = {section: schema() for section, schema in SECTION_SCHEMAS.items()}


def import_portfolio(owner, upload, decode_json):
    """A new private portfolio of `owner` from `upload` (a binary stream: the uploaded file or
    the request body), with `import_summary` (source, items per section, warnings).
    `decode_json(data)` is the API's JSON decoding of request bodies."""
    head = upload.read(max(map(len, ZIP_SIGNATURES)))
    upload.seek(0)
    if head.startswith(ZIP_SIGNATURES):
        content, warnings = _linkedin_content(upload)
        return create_from_content(owner, LINKEDIN, content, warnings)
    content, warnings = jsonresume.content_from_document(_json_document(upload, decode_json))
    return create_from_content(owner, JSON_RESUME, content, warnings)


def _linkedin_content(upload):
    try:
        return linkedin.portfolio_content_from_linkedin_zip(upload)
    except linkedin.ArchiveRefused as refused:
        abort(refused.status, message=refused.message)


def refuse_oversized_upload():
    """413 for an upload past IMPORT_UPLOAD_MAX_BYTES, in words the dialog can show."""
    abort(413, message=f"An import may be at most {IMPORT_UPLOAD_MAX_BYTES // MB} MB. If "
                       "LinkedIn's archive is bigger, ask LinkedIn for a copy of only some of "
                       "your data, your profile included.")


def refuse_oversized_json():
    """413 for a JSON Resume document past MAX_CONTENT_LENGTH, as a body or as a file."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    abort(413, message=f"A JSON Resume document may be at most {limit // 1024} KB.")


def _json_document(upload, decode_json):
    data = upload.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
    if len(data) > current_app.config["MAX_CONTENT_LENGTH"]:
        refuse_oversized_json()
    if not data.strip():
        abort(400, message="The file is empty.")
    try:
        # JSON's own rule (RFC 4627) tells UTF-8 from UTF-16 and UTF-32, with or without the
        # byte order mark Windows editors and PowerShell write.
        text = data.decode(json.detect_encoding(data))
    except UnicodeDecodeError:
        if _looks_like_json(data.decode("latin-1")):
            abort(400, message="This JSON Resume document is not UTF-8 text: save it as UTF-8 "
                               "and import it again.")
    else:
        try:
            return decode_json(text)
        except ValueError as exc:
            if _looks_like_json(text):
                abort(400, message=f"This JSON Resume document is not valid JSON: {exc}.")
    # A CV in PDF or Word, a photo, a LinkedIn CSV on its own: the wrong kind of file.
    abort(415, message="Import takes a JSON Resume document (.json) or LinkedIn's data export "
                       "(the .zip of “Get a copy of your data”); this file is neither.")


def _looks_like_json(text):
    return text.lstrip()[:1] in ("{", "[", '"')


def _validated(schema, data, where, warnings):
    """`data` loaded by `schema`. The fields it refuses are left out; when what remains is
    refused too (a required field at fault), the whole is: None. Each is said in `warnings`."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        refused = exc.messages
    kept = {key: value for key, value in data.items() if key not in refused}
    try:
        loaded = schema.load(kept)
    except ValidationError as exc:
        # A required field refused the first time is "missing" the second: say the first reason.
        warnings.append(f"{where}: left out ({_described({**exc.messages, **refused})}).")
        return None
    warnings.extend(f"{where}: {key} left out ({_described(messages)})."
                    for key, messages in refused.items())
    return loaded


def _described(messages):
    """Marshmallow's messages for a field (nested for lists and objects) in one line."""
    if isinstance(messages, dict):
        return "; ".join(f"{key}: {_described(value)}" if key != "_schema" else _described(value)
                         for key, value in messages.items())
    if isinstance(messages, list):
        return " ".join(_described(message) for message in messages)
    return str(messages)


def _label(section, item):
    """What names an item in a warning: its first required field ("role", "name"…)."""
    schema = _ITEM_SCHEMAS[section]
    key = next((name for name, field in schema.fields.items() if field.required), None)
    value = item.get(key)
    return f" “{value[:60]}”" if isinstance(value, str) and value else ""


def _section_items(section, items, warnings):
    field, _ = SECTIONS[section]
    if len(items) > MAX_ITEMS_PER_SECTION:
        warnings.append(f"{field}: only the first {MAX_ITEMS_PER_SECTION} of {len(items)} "
                        "items are imported.")
    valid = (_validated(_ITEM_SCHEMAS[section], item,
                        f"{field}[{index}]{_label(section, item)}", warnings)
             for index, item in enumerate(items[:MAX_ITEMS_PER_SECTION]))
    return portfolios.build_items(section, [item for item in valid if item is not None])


def create_from_content(owner, source, content, warnings):
    """A new private portfolio of `owner` holding what of `content` the editor's schemas accept
    (see the module's description), with `import_summary`."""
    warnings = list(warnings)
    top = _validated(_TOP_SCHEMA, {key: value for key, value in content.items()
                                   if key != "profile" and key not in SECTION_FIELDS},
                     "portfolio", warnings) or {}
    profile = _validated(_PROFILE_SCHEMA, content.get("profile") or {}, "profile",
                         warnings) or {}
    title = top.pop("title", None) or DEFAULT_TITLE
    documents = {**top, "profile": Profile(**{"display_name": owner.full_name, **profile})}
    for section, (field, _) in SECTIONS.items():
        documents[field] = _section_items(section, content.get(field) or [], warnings)
    portfolio = portfolios.create(owner, {"title": title}, content=documents, reason="import")
    portfolio.import_summary = {
        "source": source,
        "sections": {field: len(documents[field]) for field in SECTION_FIELDS
                     if documents[field]},
        "warnings": warnings,
    }
    return portfolio
