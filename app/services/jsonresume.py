"""JSON Resume (jsonresume.org, schema 1.x) both ways, from ONE mapping table read left to right
on import and right to left on export.

- `content_from_document(document)`: a JSON Resume document → `(content, warnings)`, content
  shaped as the editor's PortfolioContentSchema but not yet trusted: app/services/imports.py
  validates it as it validates every source. A document the official schema (vendored in
  app/data/jsonresume) refuses is a 422 naming the fields at fault; unknown keys are ignored.
- `export_document(portfolio, audience)`: the portfolio as `audience` sees it
  (`portfolio_view`, the one visibility rule), as a document valid against the official schema.

What a round trip JSON Resume → Vitrine → JSON Resume changes on purpose (everything else comes
back as it was, in the same order):
- `basics.location` keeps the city, region and country code: a street address or a postal code
  has no place on a public page. Vitrine holds one string, "City, Region, CC", split back on
  export (a last part of two capitals is the country code).
- `basics.image` is not imported (a photo is a proof file the owner uploads).
- A skill level is one of Vitrine's four: "Master" becomes "Expert" (exported "Expert"); other
  words are left out with a warning.
- A project `type` is kept only when it is one of Vitrine's (academic, personal, professional).
- A work entry with a start and no end is current; an entry without either stays as it is.
- An education entry needs a title: `studyType`, else `area`, else `institution`.
- Addresses are exported in the schema's `uri` format: what a URI holds escaped (an accent, a
  quote, a "|", a lone "%") is escaped ("École" → "%C3%89cole").
Vitrine fields JSON Resume has no place for are not exported: the headline and availability, an
experience's type, a diploma's level and description, a certification's expiry and id, a
project's challenges and video (and its summary when it has a description), a skill's category,
justification and proofs, a training's hours, a reference's contact (a reference's position is
added to the name, as JSON Resume's own examples do). Trainings, which JSON Resume has no
section for, are exported as education entries, their type as `studyType`.
"""
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from flask_smorest import abort
from jsonschema import Draft7Validator

from ..models.portfolio import PROJECT_TYPES, SKILL_LEVELS
from ..schemas.portfolio import MAX_ITEMS_PER_SECTION
from . import publishing
from .visibility import portfolio_view

OFFICIAL_SCHEMA = json.loads(
    (Path(__file__).resolve().parent.parent / "data" / "jsonresume" / "schema.json")
    .read_text(encoding="utf-8"))
# The address the official package's own sample and examples name as their `$schema`.
OFFICIAL_SCHEMA_URL = ("https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/"
                       "schema.json")
# Formats (uri, email) are not checked on import: a bad address is one field left out with a
# warning (by the editor's schemas), not a refused document.
_VALIDATOR = Draft7Validator(OFFICIAL_SCHEMA)
_DATE = OFFICIAL_SCHEMA["definitions"]["iso8601"]
_DATE_PATTERN = re.compile(_DATE["pattern"])
MAX_REPORTED_ERRORS = 50
_JSON_TYPES = {"object": "an object", "array": "an array", "string": "a string"}
WEBSITE = "Website"
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
# The words that clearly name a diploma level (DIPLOMA_LEVELS), highest first: a study type
# naming two ("PhD, after a Master's") is the higher one.
_DIPLOMA_LEVEL_WORDS = (
    ("doctorate", re.compile(r"\b(ph\.?\s?d\b|d\.?phil\b|doctor)", re.I)),
    ("master", re.compile(r"\b(master|m\.?sc\b|mba\b|meng\b)", re.I)),
    ("bachelor", re.compile(r"\b(bachelor|b\.?sc\b|beng\b)", re.I)),
    ("associate", re.compile(r"\bassociate", re.I)),
    ("high_school", re.compile(r"\bhigh school", re.I)),
)
# Skill levels JSON Resume documents use that name one of Vitrine's.
_SKILL_LEVEL_SYNONYMS = {"master": "expert"}
# What RFC 3986 leaves unescaped in each part of a URI besides letters, digits and "-._~"
# (which quote() never escapes), "%" included for the escapes already there.
_NOT_AN_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_URI_PATH_SAFE = "/:@!$&'()*+,;=%"
_URI_QUERY_SAFE = _URI_PATH_SAFE + "?"
_URI_HOST_SAFE = ":@[]!$&'()*+,;=%"
_TRAINING_TYPE_NAMES = {"online_course": "Online course", "workshop": "Workshop",
                        "bootcamp": "Bootcamp", "other": "Training"}


def _same(value, note=None):
    return value


@dataclass(frozen=True)
class Field:
    """A JSON Resume key and the Vitrine key it maps to. `to_vitrine(value, note)` converts on
    import (`note(message)` warns; None leaves the field out); `to_json_resume(value)` on export
    (None leaves it out)."""
    json_resume: str
    vitrine: str
    to_vitrine: Callable = _same
    to_json_resume: Callable = _same


@dataclass(frozen=True)
class Section:
    """A JSON Resume section and the Vitrine section field it maps to. `on_import(entry, item)`
    and `on_export(item, entry)` finish what depends on several fields; an `export_only`
    section is not read on import (another section of the same name is)."""
    json_resume: str
    vitrine: str
    fields: tuple
    on_import: Callable = None
    on_export: Callable = None
    export_only: bool = False


# --- the converters -------------------------------------------------------------------------------

def _date_out(value):
    """A Vitrine date the official pattern accepts (it only knows years 1000-2999)."""
    return value if _DATE_PATTERN.fullmatch(value) else None


def _uri_out(url):
    """A stored address in the schema's `uri` format (RFC 3986): the editor takes addresses as
    people paste them, with accents, quotes, "|" or a lone "%", which a URI holds escaped."""
    parts = urlsplit(_NOT_AN_ESCAPE.sub("%25", url))
    return urlunsplit((parts.scheme, quote(parts.netloc, safe=_URI_HOST_SAFE),
                       quote(parts.path, safe=_URI_PATH_SAFE),
                       quote(parts.query, safe=_URI_QUERY_SAFE),
                       quote(parts.fragment, safe=_URI_QUERY_SAFE)))


def _location_in(location, note):
    if location.get("address") or location.get("postalCode"):
        note("the street address and postal code are not imported (a public page would show "
             "them); the city, region and country code are.")
    parts = [location.get(key) for key in ("city", "region", "countryCode")]
    return ", ".join(part.strip() for part in parts if part and part.strip()) or None


def _location_out(location):
    parts = [part.strip() for part in location.split(",") if part.strip()]
    split = {}
    if len(parts) > 1 and _COUNTRY_CODE.fullmatch(parts[-1]):
        split["countryCode"] = parts.pop()
    if parts:
        split["city"] = parts[0]
    if len(parts) > 1:
        split["region"] = ", ".join(parts[1:])
    return split or None


def _skill_level_in(level, note):
    word = level.strip().casefold()
    word = _SKILL_LEVEL_SYNONYMS.get(word, word)
    if word in SKILL_LEVELS:
        return word
    note(f"the level '{level}' is not one of {', '.join(SKILL_LEVELS)}; left out.")
    return None


def _skill_level_out(level):
    return level.capitalize()


def _project_type_in(project_type, note):
    word = project_type.strip().casefold()
    if word in PROJECT_TYPES:
        return word
    note(f"the type '{project_type}' is not one of {', '.join(PROJECT_TYPES)}; left out.")
    return None


def _roles_in(roles, note):
    return ", ".join(role.strip() for role in roles if role.strip()) or None


def _roles_out(role):
    return [part.strip() for part in role.split(",") if part.strip()] or None


def _training_type_out(training_type):
    return _TRAINING_TYPE_NAMES.get(training_type)


# --- the one table --------------------------------------------------------------------------------

PERIOD = (Field("startDate", "start_date", to_json_resume=_date_out),
          Field("endDate", "end_date", to_json_resume=_date_out))


BASICS_FIELDS = (
    Field("name", "display_name"),
    Field("label", "title"),
    Field("email", "email"),
    Field("phone", "phone"),
    Field("summary", "bio"),
    Field("location", "location", _location_in, _location_out),
)


def _current_when_open_ended(entry, item):
    """Vitrine's `current`: JSON Resume says it by a start without an end."""
    if entry.get("startDate") and not entry.get("endDate"):
        item["current"] = True


def _diploma_title_and_level(entry, item):
    """A diploma's title is its `studyType` ("Bachelor of Science"), else its area, else its
    institution; the level is guessed only when the study type clearly names one."""
    fallback = item.get("field") or item.get("institution")
    if "title" not in item and fallback:
        item["title"] = fallback
    for level, words in _DIPLOMA_LEVEL_WORDS:
        if words.search(entry.get("studyType") or ""):
            item["level"] = level
            return


def _project_out(item, entry):
    """JSON Resume has one address and one text for a project: the demo, else the repository;
    the description, else the summary."""
    if "url" not in entry and item.get("repository_url"):
        entry["url"] = _uri_out(item["repository_url"])
    if "description" not in entry and item.get("summary"):
        entry["description"] = item["summary"]


def _reference_position(item, entry):
    """JSON Resume names a referee with their position ("Marcus Feng, Engineering Director")."""
    if item.get("position"):
        entry["name"] = f"{item['name']}, {item['position']}"


SECTIONS = (
    Section("work", "experiences", (
        Field("name", "organisation"),
        Field("position", "role"),
        Field("location", "location"),
        Field("url", "url", to_json_resume=_uri_out),
        Field("description", "organisation_summary"),
        Field("summary", "description"),
        Field("highlights", "achievements"),
        *PERIOD,
    ), on_import=_current_when_open_ended),
    Section("volunteer", "volunteer", (
        Field("organization", "organisation"),
        Field("position", "role"),
        Field("url", "url", to_json_resume=_uri_out),
        Field("summary", "description"),
        Field("highlights", "achievements"),
        *PERIOD,
    )),
    Section("education", "diplomas", (
        Field("institution", "institution"),
        Field("url", "url", to_json_resume=_uri_out),
        Field("area", "field"),
        Field("studyType", "title"),
        Field("score", "grade"),
        Field("courses", "courses"),
        *PERIOD,
    ), on_import=_diploma_title_and_level),
    Section("education", "trainings", (
        Field("institution", "provider"),
        Field("area", "title"),
        Field("studyType", "type", to_json_resume=_training_type_out),
        *PERIOD,
    ), export_only=True),
    Section("awards", "awards", (
        Field("title", "title"),
        Field("date", "date", to_json_resume=_date_out),
        Field("awarder", "awarder"),
        Field("summary", "description"),
    )),
    Section("certificates", "certifications", (
        Field("name", "name"),
        Field("date", "issued_date", to_json_resume=_date_out),
        Field("issuer", "issuer"),
        Field("url", "credential_url", to_json_resume=_uri_out),
    )),
    Section("publications", "publications", (
        Field("name", "name"),
        Field("publisher", "publisher"),
        Field("releaseDate", "release_date", to_json_resume=_date_out),
        Field("url", "url", to_json_resume=_uri_out),
        Field("summary", "description"),
    )),
    Section("skills", "skills", (
        Field("name", "name"),
        Field("level", "level", _skill_level_in, _skill_level_out),
        Field("keywords", "keywords"),
    )),
    Section("languages", "languages", (
        Field("language", "name"),
        Field("fluency", "fluency"),
    )),
    Section("interests", "interests", (
        Field("name", "name"),
        Field("keywords", "keywords"),
    )),
    Section("references", "references", (
        Field("name", "name"),
        Field("reference", "reference"),
    ), on_export=_reference_position),
    Section("projects", "projects", (
        Field("name", "name"),
        Field("description", "description"),
        Field("highlights", "features"),
        Field("keywords", "technologies"),
        *PERIOD,
        Field("url", "demo_url", to_json_resume=_uri_out),
        Field("roles", "role", _roles_in, _roles_out),
        Field("entity", "organisation"),
        Field("type", "type", _project_type_in),
    ), on_export=_project_out),
)


# --- import ---------------------------------------------------------------------------------------

def _path(parts):
    """`work[0].startDate` from the parts of a path into the document."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts
                   ).lstrip(".")


def _error_message(error):
    if error.validator == "type":
        return f"Must be {_JSON_TYPES.get(error.validator_value, error.validator_value)}."
    if error.schema == _DATE:
        return "Must be a date: YYYY, YYYY-MM or YYYY-MM-DD."
    return error.message


def check_document(document):
    """422 naming each field at fault (`work[0].startDate`) when the official schema refuses
    the document; keys the schema does not know are fine."""
    errors = {}
    for error in sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(map(str, e.path))):
        if len(errors) >= MAX_REPORTED_ERRORS:
            break
        errors.setdefault(_path(error.absolute_path) or "_schema", []).append(
            _error_message(error))
    if errors:
        abort(422, message="This is not a JSON Resume document: "
                           + "; ".join(f"{path}: {messages[0]}" for path, messages in
                                       list(errors.items())[:3]), errors=errors)


def _mapped_in(fields, source, path, warnings):
    """The Vitrine values of `fields` found in the JSON Resume object `source`."""
    mapped = {}
    for field in fields:
        if source.get(field.json_resume) in (None, "", []):
            continue
        value = field.to_vitrine(source[field.json_resume], lambda message: warnings.append(
            f"{path}.{field.json_resume}: {message}"))
        if value is not None:
            mapped[field.vitrine] = value
    return mapped


def _links_in(basics, warnings):
    """`basics.url` as the "Website" link, then each profile with an address."""
    links = [{"network": WEBSITE, "url": basics["url"]}] if basics.get("url") else []
    for index, profile in enumerate(basics.get("profiles") or ()):
        if not profile.get("url"):
            warnings.append(f"basics.profiles[{index}]: no url; left out.")
            continue
        links.append({key: value for key, value in (
            ("network", profile.get("network")), ("url", profile["url"]),
            ("label", profile.get("username"))) if value})
    return links


def content_from_document(document):
    """`(content, warnings)` from a JSON Resume document (422 when it is not one)."""
    check_document(document)
    warnings = []
    basics = document.get("basics") or {}
    if basics.get("image"):
        warnings.append("basics.image: not imported; upload the photo in the editor.")
    profile = _mapped_in(BASICS_FIELDS, basics, "basics", warnings)
    content = {"profile": profile, "links": _links_in(basics, warnings)}
    if profile.get("display_name"):
        content["title"] = profile["display_name"]
    for section in SECTIONS:
        if section.export_only:
            continue
        entries = document.get(section.json_resume) or []
        if len(entries) > MAX_ITEMS_PER_SECTION:
            # The rest would only be converted, and warned about, to be dropped.
            warnings.append(f"{section.json_resume}: only the first {MAX_ITEMS_PER_SECTION} of "
                            f"{len(entries)} entries are imported.")
        items = []
        for index, entry in enumerate(entries[:MAX_ITEMS_PER_SECTION]):
            item = _mapped_in(section.fields, entry, f"{section.json_resume}[{index}]", warnings)
            if section.on_import:
                section.on_import(entry, item)
            items.append(item)
        content[section.vitrine] = items
    return content, warnings


# --- export ---------------------------------------------------------------------------------------

def _mapped_out(fields, source):
    """The JSON Resume values of `fields` found in the Vitrine object `source`."""
    mapped = {}
    for field in fields:
        if source.get(field.vitrine) in (None, "", []):
            continue
        value = field.to_json_resume(source[field.vitrine])
        if value is not None:
            mapped[field.json_resume] = value
    return mapped


def _basics_out(view):
    basics = _mapped_out(BASICS_FIELDS, view.get("profile", {}))
    links = view.get("links", [])
    website = next((link for link in links if link["network"].casefold() == WEBSITE.casefold()),
                   None)
    if website:
        basics["url"] = _uri_out(website["url"])
    profiles = [{key: value for key, value in (
        ("network", link["network"]), ("username", link.get("label")),
        ("url", _uri_out(link["url"]))) if value} for link in links if link is not website]
    if profiles:
        basics["profiles"] = profiles
    return basics


def export_document(portfolio, audience):
    """The portfolio as `audience` sees it, as a JSON Resume document."""
    view = portfolio_view(portfolio, audience)
    document = {"$schema": OFFICIAL_SCHEMA_URL}
    basics = _basics_out(view)
    if basics:
        document["basics"] = basics
    for section in SECTIONS:
        for item in view.get(section.vitrine, ()):
            entry = _mapped_out(section.fields, item)
            if section.on_export:
                section.on_export(item, entry)
            document.setdefault(section.json_resume, []).append(entry)
    document["meta"] = {
        "canonical": publishing.absolute_url(f"/p/{portfolio.slug}"),
        # Each save of the portfolio is a new version: semver's major.
        "version": f"v{portfolio.version}.0.0",
        "lastModified": view["updated_at"],
    }
    return document
