"""Portfolio rules: ownership, slugs, the versioned write, section items, duplication, deletion.

Every change to a portfolio goes through `write()`: one conditional update on `_id` + `version`
that also increments the version, so two editors never silently overwrite each other.
"""
import json
import re
import secrets
import unicodedata
from datetime import timedelta

import bson
from bson import ObjectId
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from flask import current_app
from flask_smorest import abort
from mongoengine.context_managers import no_dereference
from mongoengine.errors import NotUniqueError, ValidationError
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from ..models.languages import DEFAULT_LANGUAGE
from ..models.portfolio import (
    CONTENT_FIELDS, ITEM_REMOVED, MAX_PROOFS_PER_PORTFOLIO, MERGED_OBJECTS, SECTION_FIELDS,
    SECTIONS, Portfolio, PreviousSlug, Profile, Proof,
)
from ..models.user import utcnow
from ..schemas.portfolio import (
    MAX_ITEMS_PER_SECTION, PortfolioSchema, StoredPortfolio, VersionSchema,
)
from . import accounts, versions
from .passwords import hash_password

RESERVED_SLUGS = frozenset({
    "api", "p", "r", "static", "admin", "healthz", "login", "logout", "register", "signup",
    "auth", "docs", "www", "app", "dashboard", "settings", "help", "about", "vitrine", "new",
})
SLUG_REDIRECT_DAYS = 30
SKILL_REFERENCES = {"project_ids": "projects", "certification_ids": "certifications",
                    "training_ids": "trainings"}
# Fields that may name an image proof of the portfolio: top-level field → key inside it.
IMAGE_PROOF_REFERENCES = {"profile": "photo_proof_id", "theme": "background_image_proof_id"}
# A write that loses the version race was beaten by another successful write, so with N
# concurrent writers each needs at most N attempts: enough for the tabs one person has open.
WRITE_ATTEMPTS = 6
_AS_BYTES = CodecOptions(document_class=RawBSONDocument)


class VersionConflict(Exception):
    pass


def _conflict(current_version):
    abort(409, message=f"This portfolio was changed elsewhere; it is now at version "
                       f"{current_version}. Reload it before saving again.",
          extra={"current_version": current_version, "version": current_version})


def get_owned(portfolio_id, user):
    """The caller's portfolio, or 404 (never revealing that someone else's exists)."""
    portfolio = Portfolio.objects(id=portfolio_id, owner=user).first() \
        if ObjectId.is_valid(str(portfolio_id)) else None
    return portfolio or _not_found()


def _not_found():
    abort(404, message="Portfolio not found.")


def _owned_with_content(portfolio_id, user, unloaded=frozenset()):
    """`get_owned` and a copy of the stored document as stored (raw values, not MongoEngine's),
    from one read: decoding the stored bytes twice costs far less than MongoEngine's to_mongo
    plus a deepcopy (measured with pyinstrument on the autosave, issue 16). The `unloaded` fields
    are left out of the MongoEngine document: building its embedded documents was a fifth of an
    autosave (cProfile, issue 16), and the stored copy holds them."""
    stored = Portfolio._get_collection().with_options(codec_options=_AS_BYTES).find_one(
        {"_id": ObjectId(str(portfolio_id)), "owner": user.id}) \
        if ObjectId.is_valid(str(portfolio_id)) else None
    if stored is None:
        _not_found()
    loaded = {key: value for key, value in bson.decode(stored.raw).items() if key not in unloaded}
    return Portfolio._from_son(loaded), bson.decode(stored.raw)


def list_owned(user):
    return Portfolio.objects(owner=user).order_by("-updated_at")


# --- slugs -------------------------------------------------------------------------------------

def slugify(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:50].strip("-")
    return slug if len(slug) >= 3 else f"portfolio-{slug}".strip("-")


def _slug_taken(slug, portfolio_id=None):
    """Taken by another portfolio now, or given up by one less than 30 days ago (it redirects)."""
    recent = utcnow() - timedelta(days=SLUG_REDIRECT_DAYS)
    others = Portfolio.objects(id__ne=portfolio_id) if portfolio_id else Portfolio.objects
    return bool(others(slug=slug).count() or others(previous_slugs__match={
        "slug": slug, "changed_at__gte": recent}).count())


def slug_refusal(slug, portfolio_id=None):
    """Why `slug` (well formed: the schemas check that) cannot be the address of portfolio
    `portfolio_id` (None: a new portfolio): a key of SLUG_REFUSALS, or None when it can.
    The one rule behind every write of a slug (`check_slug`) and the editor's availability
    check (`slug_availability`)."""
    if slug in RESERVED_SLUGS:
        return "reserved"
    if _slug_taken(slug, portfolio_id):
        return "taken"
    return None


# refusal → (HTTP status of a write, the error's message, the words shown beside the field)
SLUG_REFUSALS = {
    "reserved": (422, "'{slug}' is reserved.", "This address is reserved."),
    "taken": (409, "The address '{slug}' is already taken.", "Already taken."),
}
SLUG_AVAILABLE = "This address is available."


def check_slug(slug, portfolio_id=None):
    refusal = slug_refusal(slug, portfolio_id)
    if refusal:
        status, message, field_message = SLUG_REFUSALS[refusal]
        abort(status, message=message.format(slug=slug), errors={"slug": [field_message]})


def slug_availability(slug, portfolio_id=None):
    """`{slug, available, message}`: whether a write of `slug` would be accepted now."""
    refusal = slug_refusal(slug, portfolio_id)
    return {"slug": slug, "available": refusal is None,
            "message": SLUG_REFUSALS[refusal][2] if refusal else SLUG_AVAILABLE}


def available_slug(title):
    base = slugify(title)
    if base in RESERVED_SLUGS:
        base = f"{base}-portfolio"
    candidate, counter = base, 1
    while _slug_taken(candidate):
        counter += 1
        candidate = f"{base[:55]}-{counter}"
    return candidate


# --- items -------------------------------------------------------------------------------------

def build_item(section, data):
    """A section item document from validated input; a new item gets a fresh id."""
    _, item_class = SECTIONS[section]
    values = {key: value for key, value in data.items() if value is not None}
    values["id"] = ObjectId(values["id"]) if values.get("id") else ObjectId()
    for field in SKILL_REFERENCES:
        if field in values:
            values[field] = [ObjectId(ref) for ref in dict.fromkeys(values[field])]
    return item_class(**values)


def build_items(section, items_data):
    items = [build_item(section, data) for data in items_data]
    ids = [item.id for item in items]
    if len(ids) != len(set(ids)):
        abort(422, message="Two items of the same section share an id.",
              errors={SECTIONS[section][0]: ["Item ids must be unique."]})
    return items


def find_item(portfolio, section, item_id):
    field, _ = SECTIONS[section]
    for item in getattr(portfolio, field):
        if str(item.id) == str(item_id):
            return item
    abort(404, message="Item not found.")


def check_skill_references(portfolio, strict, unloaded_ids=None):
    """Skills may only point at items of this portfolio.

    `strict` (the skills themselves were written): a dangling reference is a 422. Otherwise the
    referenced item was deleted, and the reference is dropped. `unloaded_ids`: section field ->
    ids of its stored items, for the sections `portfolio` was loaded without (`_write`).
    """
    unloaded_ids = unloaded_ids or {}
    # Each section's ids once, not once per skill: MongoEngine's list access is what an autosave
    # of a whole section spent here (pyinstrument, issue 16).
    valid = {ref_field: unloaded_ids[section_field] if section_field in unloaded_ids else
             {item.id for item in getattr(portfolio, section_field)}
             for ref_field, section_field in SKILL_REFERENCES.items()}
    for index, skill in enumerate(portfolio.skills):
        for ref_field, section_field in SKILL_REFERENCES.items():
            refs = getattr(skill, ref_field)
            dangling = [str(ref) for ref in refs if ref not in valid[ref_field]]
            if not dangling:
                continue
            if strict:
                abort(422, message=f"Skill '{skill.name}' refers to {section_field} that do not "
                                   f"exist in this portfolio: {', '.join(dangling)}.",
                      errors={"skills": {str(index): {ref_field: ["Unknown id."]}}})
            setattr(skill, ref_field, [ref for ref in refs if ref in valid[ref_field]])


def add_item(portfolio_id, user, section, data, expected_version=None):
    """Append an item in ONE conditional update that also bumps the version: no
    read-modify-write, so any number of concurrent additions all land. The update's filter holds
    every rule — room in the section, a fresh id, the skill's references, the size limit, and
    the editor's version when it sent one; when it does not match, the fresh document says which
    rule refused (`_check_addition`), or another write raced a check and the update is tried
    again."""
    field, _ = SECTIONS[section]
    item = build_item(section, data)
    item.validate()
    raw_item = item.to_mongo().to_dict()
    collection = Portfolio._get_collection()
    for _ in range(WRITE_ATTEMPTS):
        now = utcnow()
        after = collection.find_one_and_update(
            {"_id": ObjectId(portfolio_id), "owner": user.id,
             **_addition_conditions(field, raw_item, expected_version)},
            {"$push": {field: raw_item}, "$inc": {"version": 1}, "$set": {"updated_at": now}},
            return_document=ReturnDocument.AFTER)
        if after is not None:
            portfolio = Portfolio._from_son(after)
            versions.record(portfolio, "item")
            return item, portfolio
        _check_addition(get_owned(portfolio_id, user), section, item, expected_version)
    abort(409, message="This portfolio is being changed elsewhere; try again.")


def _addition_conditions(field, raw_item, expected_version):
    """What the portfolio must hold for `raw_item` to be appended to `field`."""
    limit = current_app.config["MAX_PORTFOLIO_BYTES"]
    # The item's encoding plus its array index key, type byte and terminator.
    room_needed = len(bson.encode(raw_item)) + 16
    conditions = {f"{field}.{MAX_ITEMS_PER_SECTION - 1}": {"$exists": False},
                  f"{field}.id": {"$ne": raw_item["id"]},
                  "$expr": {"$lte": [{"$bsonSize": "$$ROOT"}, limit - room_needed]}}
    for ref_field, section_field in SKILL_REFERENCES.items():
        if raw_item.get(ref_field):
            conditions[f"{section_field}.id"] = {"$all": raw_item[ref_field]}
    if expected_version is not None:
        conditions["version"] = expected_version
    return conditions


def _check_addition(portfolio, section, item, expected_version):
    """Abort with the rule the addition of `item` breaks on the stored `portfolio`, if any."""
    if expected_version is not None and expected_version != portfolio.version:
        _conflict(portfolio.version)
    items = getattr(portfolio, SECTIONS[section][0])
    if any(existing.id == item.id for existing in items):
        abort(409, message="An item with this id already exists.", errors={"id": ["Taken."]})
    if len(items) >= MAX_ITEMS_PER_SECTION:
        abort(422, message=f"A section holds at most {MAX_ITEMS_PER_SECTION} items.")
    items.append(item)
    check_skill_references(portfolio, strict=True)
    _check_size(portfolio.to_mongo().to_dict())


def update_item(portfolio_id, user, section, item_id, data, expected_version=None):
    field, _ = SECTIONS[section]
    updated = {}

    def change(portfolio):
        items = getattr(portfolio, field)
        current = find_item(portfolio, section, item_id)
        merged = {**current.to_mongo().to_dict(), **data, "id": current.id}
        updated["item"] = build_item(section, merged)
        items[items.index(current)] = updated["item"]
        return {field}
    saved = write(portfolio_id, user, change, expected_version, reason="item")
    return updated["item"], saved


def delete_item(portfolio_id, user, section, item_id, expected_version=None):
    field, _ = SECTIONS[section]

    def change(portfolio):
        getattr(portfolio, field).remove(find_item(portfolio, section, item_id))
        return {field}
    return write(portfolio_id, user, change, expected_version, reason="item")


def reorder_items(portfolio_id, user, section, ids, expected_version=None):
    """Put the items in the order of `ids`, which must name each item exactly once."""
    field, _ = SECTIONS[section]

    def change(portfolio):
        items = {str(item.id): item for item in getattr(portfolio, field)}
        if sorted(ids) != sorted(items):
            abort(422, message="`ids` must list every item of the section exactly once.",
                  errors={"ids": ["Must be a permutation of the section's item ids."]})
        setattr(portfolio, field, [items[item_id] for item_id in ids])
        return {field}
    return write(portfolio_id, user, change, expected_version, reason="item")


# --- the versioned write -----------------------------------------------------------------------

def _check_size(raw):
    size = len(bson.encode(raw))
    limit = current_app.config["MAX_PORTFOLIO_BYTES"]
    if size > limit:
        abort(413, message=f"This portfolio would be {size // 1024} KB, over the "
                           f"{limit // 1024} KB limit. Shorten some texts or remove items.")


def apply_changes(portfolio, changes):
    """Copy validated top-level changes (PATCH) onto the document; returns the fields touched."""
    touched = set()
    for field, value in changes.items():
        _check_image_proof_reference(portfolio, field, value)
        if field == "slug":
            if value != portfolio.slug:
                check_slug(value, portfolio.id)
                portfolio.previous_slugs = [
                    previous for previous in portfolio.previous_slugs if previous.slug != value]
                portfolio.previous_slugs.append(PreviousSlug(slug=portfolio.slug))
                portfolio.slug = value
                touched |= {"slug", "previous_slugs"}
        elif field == "password":
            portfolio.password_hash = hash_password(value) if value else None
            portfolio.password_changed_at = utcnow()
            touched |= {"password_hash", "password_changed_at"}
        elif field in MERGED_OBJECTS:
            setattr(portfolio, field, _merged(portfolio, field, value))
            touched.add(field)
        elif field in SECTION_FIELDS:
            section = next(name for name, (f, _) in SECTIONS.items() if f == field)
            setattr(portfolio, field, build_items(section, value))
            touched.add(field)
        else:
            setattr(portfolio, field, value)
            touched.add(field)
    return touched


def merge_patch(target, patch):
    """RFC 7396 JSON Merge Patch: `patch` applied to the dict `target`, as a new dict. A key sent
    replaces that key, a key sent as null is removed, keys not sent stay; objects merge alike."""
    merged = dict(target)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict):
            inner = merged.get(key)
            merged[key] = merge_patch(inner if isinstance(inner, dict) else {}, value)
        else:
            merged[key] = value
    return merged


def _merged(portfolio, field, patch):
    """The object `field` (profile, theme) of the portfolio with `patch` merged in."""
    current = getattr(portfolio, field)
    if field == "profile":
        return Profile(**merge_patch(current.to_mongo().to_dict() if current else {}, patch))
    return merge_patch(current or {}, patch)


def _check_image_proof_reference(portfolio, field, value):
    """A new photo or background must be an image proof of this portfolio. The stored value
    sent back unchanged passes even if its proof went to the trash: the page shows no image
    then, and an editor sending back what it read must not be stuck on a 422."""
    key = IMAGE_PROOF_REFERENCES.get(field)
    proof_id = (value or {}).get(key) if key else None
    if not proof_id:
        return
    stored = getattr(portfolio, field)
    current = stored.get(key) if isinstance(stored, dict) else getattr(stored, key, None)
    # A proof in the trash is fine too: naming it again brings it back (`_recalled_images`).
    if str(proof_id) != str(current) and not any(
            str(proof.id) == str(proof_id) and (proof.content_type or "").startswith("image/")
            for proof in [*portfolio.proofs, *portfolio.trash]):
        abort(422, message=f"{field}.{key} must name an image proof of this portfolio.",
              errors={field: {key: ["Not an image proof of this portfolio."]}})


def _kept_items(raw, touched):
    """Section name → ids of its items after the write (`raw`: the document as it will be
    stored), for each section the write replaced."""
    return {section: [item["id"] for item in raw.get(field, [])]
            for section, (field, _) in SECTIONS.items() if field in touched}


def _image_references(profile, theme):
    photo = (profile or {}).get("photo_proof_id")
    background = (theme or {}).get("background_image_proof_id")
    return {str(reference) for reference in (photo, background) if reference}


def _recalled_images(before, after, trash):
    """Trashed proofs that the change (content `before` → `after`) names again as the photo or
    the background (an undone removal of the photo): they come back from the trash with the
    write. `trash`: the stored trash."""
    named = _image_references(after.get("profile"), after.get("theme")) - _image_references(
        before.get("profile"), before.get("theme"))
    return [proof["id"] for proof in trash if str(proof["id"]) in named]


def _attached_to(kept, keep):
    """Aggregation condition on `$$proof`: its item is (keep=True) or is not (False) among the
    kept items of a section the write replaced."""
    return {"$or": [{"$and": [{"$eq": ["$$proof.item_type", section]},
                              {"$in": ["$$proof.item_id", {"$literal": ids}]} if keep else
                              {"$not": [{"$in": ["$$proof.item_id", {"$literal": ids}]}]}]}
                    for section, ids in kept.items()]}


def _proof_moves(kept, now, recalled=()):
    """Pipeline stages, after the content's `$set`, that move the proofs of removed items to the
    trash and bring back from the trash the proofs whose item is there again (a restore) and the
    `recalled` ones — as many as the portfolio has room for; the others stay in the trash. Each
    stage sees the document as the previous one left it; `_revived` is a scratch field."""
    def pick(array, condition):
        return {"$filter": {"input": {"$ifNull": [array, []]}, "as": "proof", "cond": condition}}

    def mark(array, trashed_at, reason):
        return {"$map": {"input": array, "as": "proof", "in": {"$mergeObjects": [
            "$$proof", {"trashed_at": trashed_at, "trash_reason": reason}]}}}

    removed = _attached_to(kept, keep=False) if kept else False
    kept_proofs = pick("$proofs", {"$not": [removed]})
    room = {"$max": [0, {"$subtract": [MAX_PROOFS_PER_PORTFOLIO, {"$size": kept_proofs}]}]}
    revivable = pick("$trash", {"$or": [
        {"$in": ["$$proof.id", {"$literal": list(recalled)}]},
        {"$and": [{"$eq": ["$$proof.trash_reason", ITEM_REMOVED]},
                  _attached_to(kept, keep=True) if kept else False]}]})
    return [
        {"$set": {"_revived": {"$slice": [revivable, room]}}},
        {"$set": {
            "proofs": {"$concatArrays": [kept_proofs, mark("$_revived", None, None)]},
            "trash": {"$concatArrays": [
                pick("$trash", {"$not": [{"$in": ["$$proof.id", "$_revived.id"]}]}),
                mark(pick("$proofs", removed), now, ITEM_REMOVED)]},
        }},
        {"$unset": "_revived"},
    ]


def _checked_raw(portfolio, stored, touched, strict_skills, unloaded):
    """The changed document as it will be stored, once its skill references are checked and
    the `touched` fields are valid: the others are `stored` (the raw stored document), valid
    when they were written, so only the touched ones are validated and encoded again — most of
    an autosave of one section went to validating and encoding the whole document (cProfile,
    issue 16).

    Without dereferencing: the portfolio's only reference is its owner, yet MongoEngine scans
    every list it hands out for references to load, a tenth of an autosave (pyinstrument, issue
    16). `no_dereference` holds for this thread only."""
    unloaded_ids = {field: {item["id"] for item in stored.get(field, [])}
                    for field in unloaded & set(SKILL_REFERENCES.values())}
    with no_dereference(Portfolio):
        check_skill_references(portfolio, strict_skills, unloaded_ids)
        _validate_fields(portfolio, touched)
        changed = portfolio.to_mongo(fields=list(touched)).to_dict()
    raw = {key: value for key, value in stored.items() if key not in touched}
    raw.update((field, changed[field]) for field in touched if field in changed)
    return raw


def _validate_fields(portfolio, names):
    """MongoEngine's `Document.validate()` for the fields `names` only (same errors)."""
    errors = {}
    for name in names:
        field, value = Portfolio._fields[name], portfolio._data.get(name)
        try:
            if value is not None:
                field._validate(value)
            elif field.required:
                raise ValidationError("Field is required", field_name=name)
        except ValidationError as error:
            errors[name] = error.errors or error
        except (ValueError, AttributeError, AssertionError) as error:
            errors[name] = error
    if errors:
        raise ValidationError(f"ValidationError (Portfolio:{portfolio.pk}) ", errors=errors)


def write(portfolio_id, user, change, expected_version=None, reason="autosave"):
    """Apply `change(portfolio)` and save the result as the next version: `_write`, returning
    the changed document."""
    return _write(portfolio_id, user, change, expected_version, reason)[0]


def save_changes(portfolio_id, user, changes, expected_version=None):
    """Autosave (PATCH): `apply_changes(changes)` through `_write`. Returns the portfolio as
    stored (`StoredPortfolio`), which the API dumps without building MongoEngine documents.
    `apply_changes` reads no section (it replaces those it is given), so none is loaded but the
    skills, whose references to items removed are dropped (`check_skill_references`)."""
    unloaded = set(SECTION_FIELDS) - ({"skills"} - set(changes))
    return _write(portfolio_id, user, lambda portfolio: apply_changes(portfolio, changes),
                  expected_version, "autosave", unloaded)[1]


def _write(portfolio_id, user, change, expected_version, reason, unloaded=frozenset()):
    """Apply `change(portfolio)` and save the result as the next version; returns the changed
    document and the portfolio as stored now. The document is loaded without the `unloaded`
    sections: `change` may replace them, never read them; those it does not replace stay as
    stored.

    `change` edits the loaded document in place and returns the set of fields it touched.
    With `expected_version` (If-Match or body `version`), a stale editor gets a 409 and nothing
    is written. Without one, a concurrent write is retried on the fresh document, so item-level
    edits from two tabs both land.

    Nothing is lost: when the change removes content (`versions.removal`), the stored version is
    snapshotted first, whatever the autosave throttle. The proofs of items the write removes go
    to the trash, and trashed proofs whose item the write brings back (a restore) return, in the
    same atomic update as the content.
    """
    for _ in range(WRITE_ATTEMPTS):
        portfolio, stored = _owned_with_content(portfolio_id, user, unloaded)
        if expected_version is not None and expected_version != portfolio.version:
            _conflict(portfolio.version)
        base_version = portfolio.version
        touched = set(change(portfolio))
        strict_skills = "skills" in touched
        # References to items removed are dropped from the skills (`check_skill_references`).
        touched |= {"skills", "updated_at"}
        portfolio.updated_at = utcnow()
        raw = _checked_raw(portfolio, stored, touched, strict_skills, unloaded - touched)
        _check_size(raw)
        before = versions.content(stored)
        removal = versions.removal(before, raw, reason)
        if removal:
            versions.snapshot(portfolio.id, base_version, before, removal)
        values = {field: {"$literal": raw.get(field)} for field in touched}
        values["version"] = {"$add": ["$version", 1]}
        pipeline = [{"$set": values}]
        kept = _kept_items(raw, touched)
        recalled = _recalled_images(before, raw, stored.get("trash", []))
        if kept or recalled:
            pipeline += _proof_moves(kept, portfolio.updated_at, recalled)
        try:
            after = Portfolio._get_collection().find_one_and_update(
                {"_id": portfolio.id, "version": base_version}, pipeline,
                projection={"proofs": 1, "trash": 1}, return_document=ReturnDocument.AFTER)
        except DuplicateKeyError:
            abort(409, message=f"The address '{portfolio.slug}' is already taken.",
                  errors={"slug": ["Already taken."]})
        if after is not None:
            portfolio.version = base_version + 1
            portfolio.proofs = [Proof._from_son(proof) for proof in after.get("proofs", [])]
            portfolio.trash = [Proof._from_son(proof) for proof in after.get("trash", [])]
            versions.record(portfolio, reason, content=versions.content(raw))
            return portfolio, StoredPortfolio(raw, version=portfolio.version,
                                              proofs=after.get("proofs", []),
                                              trash=after.get("trash", []))
        if expected_version is not None:
            _conflict(Portfolio.objects(id=portfolio.id).scalar("version").first())
    abort(409, message="This portfolio is being changed elsewhere; try again.")


# --- whole portfolios ----------------------------------------------------------------------------

def create(user, data, content=None, reason="created"):
    """A new portfolio of `user` from `data` (title, slug?, template?, description?,
    is_private?). It starts unpublished (private) unless `data` says `is_private: False`:
    publishing is an explicit act.

    `content` (document fields → values) fills it in one go: duplicates and imports.
    """
    if Portfolio.objects(owner=user).count() >= _portfolio_limit():
        _refuse_over_the_limit()
    if data.get("slug"):
        check_slug(data["slug"])
    slug = data.get("slug") or available_slug(data["title"])
    portfolio = Portfolio(owner=user, title=data["title"], slug=slug,
                          description=data.get("description"),
                          template=data.get("template") or "classic",
                          language=data.get("language") or user.language or DEFAULT_LANGUAGE,
                          profile=Profile(display_name=user.full_name),
                          is_private=data.get("is_private", True))
    for field, value in (content or {}).items():
        setattr(portfolio, field, value)
    check_skill_references(portfolio, strict=False)
    _check_size(portfolio.to_mongo().to_dict())
    _insert_with_unique_slug(portfolio, generated=not data.get("slug"))
    if Portfolio.objects(owner=user).count() > _portfolio_limit():
        # Creations racing past the count above: whichever finds too many takes its own back.
        portfolio.delete()
        _refuse_over_the_limit()
    versions.record(portfolio, reason)
    return portfolio


def _portfolio_limit():
    return current_app.config["MAX_PORTFOLIOS_PER_USER"]


def _refuse_over_the_limit():
    abort(403, message=f"You can have at most {_portfolio_limit()} portfolios; delete one first.")


def _insert_with_unique_slug(portfolio, generated):
    """Insert the new portfolio. A slug the client chose and someone took meanwhile is a 409; a
    generated one (two duplicates racing for "…-copy") is generated again until it is free."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            portfolio.save(force_insert=True)
            return
        except NotUniqueError:
            if not generated:
                break
            portfolio.slug = available_slug(portfolio.title)
            if attempt:
                # Many creations racing all compute the same next free address, and only one
                # wins each round: after a second lost race, a random ending parts them.
                portfolio.slug = f"{portfolio.slug[:55].rstrip('-')}-{secrets.token_hex(2)}"
    abort(409, message=f"The address '{portfolio.slug}' is already taken.",
          errors={"slug": ["Already taken."]})


def duplicate(portfolio, user):
    """A full copy with fresh item ids (skill references remapped), a new slug, private."""
    source = Portfolio.objects.get(id=portfolio.id)  # its own objects, free to re-id
    new_ids = {}
    for field in SECTION_FIELDS:
        for item in getattr(source, field):
            new_ids[item.id] = ObjectId()
            item.id = new_ids[item.id]
    for skill in source.skills:
        for ref_field in SKILL_REFERENCES:
            setattr(skill, ref_field, [new_ids[ref] for ref in getattr(skill, ref_field)])
    content = {field: getattr(source, field) for field in CONTENT_FIELDS if field != "title"}
    copy = create(user, {"title": f"{portfolio.title} (copy)"[:120],
                         "language": portfolio.language}, content=content,
                  reason="duplicated")
    for hook in DUPLICATE_HOOKS:
        hook(portfolio, copy, new_ids)
    return copy


def restore(portfolio_id, user, number, expected_version=None):
    """Put version `number`'s content back; the restore is itself a new version."""
    def change(portfolio):
        stored = versions.restorable_content(portfolio, number)
        for field in CONTENT_FIELDS:
            setattr(portfolio, field, getattr(stored, field))
        return set(CONTENT_FIELDS)
    return write(portfolio_id, user, change, expected_version, reason="restore")


def delete(portfolio):
    for hook in DELETE_HOOKS:
        hook(portfolio)
    portfolio.delete()
    # After the document: a write racing the deletion then finds no portfolio and keeps no
    # snapshot (versions.snapshot), whichever runs first.
    versions.delete_history(portfolio.id)


def delete_all_of(user):
    for portfolio in Portfolio.objects(owner=user):
        delete(portfolio)


# Other areas attach their own cleanup (proof files, recruiter links, visits):
# `hook(portfolio)` before a portfolio is deleted, `hook(source, copy, new_item_ids)` after a copy.
DELETE_HOOKS = []
DUPLICATE_HOOKS = []


def export_all_of(user, archive):
    """Each portfolio as the editor sees it, with its saved versions, into the account ZIP."""
    for portfolio in Portfolio.objects(owner=user):
        folder = f"portfolios/{portfolio.slug}"
        archive.writestr(f"{folder}/portfolio.json", json.dumps(
            PortfolioSchema().dump(portfolio), indent=2, ensure_ascii=False))
        archive.writestr(f"{folder}/versions.json", json.dumps(
            VersionSchema(many=True).dump(versions.history(portfolio.id, with_content=True)),
            indent=2, ensure_ascii=False))


accounts.ACCOUNT_CLEANUPS.append(delete_all_of)
accounts.ACCOUNT_EXPORTERS.append(export_all_of)
