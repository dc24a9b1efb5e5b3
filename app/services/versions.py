"""Version history: snapshots of a portfolio's content, throttled during autosave.

The rule: no change may destroy content that no saved version holds. So a snapshot is written
- of the state just BEFORE any change that removes content (`removal`): an item deleted, a section
  array or the layout replaced with fewer entries, profile or theme keys cleared, a restore, an
  import or an AI replace — whatever the throttle;
- of the result of creation, import, restore, AI merge and replace, and duplication;
- during continuous autosave, at most once per `VERSION_SNAPSHOT_INTERVAL_SECONDS`.
The newest `MAX_VERSIONS_PER_PORTFOLIO` are kept.

Proof files are not versioned content; the proofs of removed items wait in the trash, and a
restore that brings an item back brings them back (see services.portfolios.write).
"""
import copy
from datetime import timedelta

import bson
from flask import current_app
from flask_smorest import abort
from pymongo import DESCENDING

from ..models.portfolio import (
    CONTENT_FIELDS, ITEM_REMOVED, MERGED_OBJECTS, SECTIONS, Portfolio, PortfolioVersion,
)
from ..models.user import utcnow

# Writes that overwrite a lot at once: the state before them is always kept.
WHOLESALE_WRITES = frozenset({"restore", "import", "replace"})
# Writes always worth a snapshot of their result.
ALWAYS_SNAPSHOT = frozenset({"created", "duplicated", "import", "restore", "merge", "replace"})


def content(raw):
    """The content fields of `raw`, a portfolio as stored (the same values, not copies)."""
    return {field: raw[field] for field in CONTENT_FIELDS if field in raw}


def content_of(portfolio):
    """The portfolio's content as stored (a copy, safe to keep while the document changes)."""
    return copy.deepcopy(content(portfolio.to_mongo().to_dict()))


def removal(before, after, reason):
    """Why the change from the stored content `before` to `after` (the document as it will be
    saved) removes content, as the reason of the snapshot to take first ("before removing items
    from projects"); None if it removes nothing."""
    if reason in WHOLESALE_WRITES:
        return f"before {reason}"
    emptied = [section for section, (field, _) in SECTIONS.items()
               if {item["id"] for item in before.get(field, [])}
               - {item["id"] for item in after.get(field, [])}]
    if emptied:
        return "before removing items from " + ", ".join(emptied) if len(emptied) <= 2 \
            else "before removing items"
    if len((before.get("layout") or {}).get("sections", [])) > \
            len((after.get("layout") or {}).get("sections", [])):
        return "before removing layout sections"
    cleared = [field for field in MERGED_OBJECTS
               if _filled_keys(before.get(field)) - _filled_keys(after.get(field))]
    if cleared:
        return f"before clearing {' and '.join(cleared)} fields"
    return None


def _filled_keys(values):
    return {key for key, value in (values or {}).items() if value not in (None, "")}


def snapshot(portfolio_id, version, content, reason):
    """Store `content` as version `version` of the portfolio (once per version)."""
    now = utcnow()
    PortfolioVersion._get_collection().update_one(
        {"portfolio": portfolio_id, "version": version},
        {"$setOnInsert": {"saved_at": now, "reason": reason, "content": content,
                          "size": len(bson.encode(content))}},
        upsert=True)
    if not Portfolio.objects(id=portfolio_id).update_one(set__last_snapshot_at=now):
        # The portfolio was deleted meanwhile (its history first): keep nothing of it.
        delete_history(portfolio_id)
        return now
    _prune(portfolio_id)
    return now


def record(portfolio, reason, content=None):
    """After a successful write: snapshot it if it is meaningful or the throttle allows.
    `content`: the written content as stored, when the writer has it (else `content_of`)."""
    interval = timedelta(seconds=current_app.config["VERSION_SNAPSHOT_INTERVAL_SECONDS"])
    due = portfolio.last_snapshot_at is None or utcnow() - portfolio.last_snapshot_at >= interval
    if reason in ALWAYS_SNAPSHOT or due:
        portfolio.last_snapshot_at = snapshot(
            portfolio.id, portfolio.version,
            content_of(portfolio) if content is None else content, reason)


def _prune(portfolio_id):
    keep = current_app.config["MAX_VERSIONS_PER_PORTFOLIO"]
    collection = PortfolioVersion._get_collection()
    oldest_kept = collection.find({"portfolio": portfolio_id}, {"version": 1}) \
        .sort("version", DESCENDING).skip(keep - 1).limit(1)
    for entry in oldest_kept:
        collection.delete_many({"portfolio": portfolio_id, "version": {"$lt": entry["version"]}})


def history(portfolio_id, with_content=False):
    """Saved versions, newest first (without their content unless asked: it is the bulk)."""
    found = PortfolioVersion.objects(portfolio=portfolio_id).order_by("-version")
    return found if with_content else found.exclude("content")


def get_version(portfolio_id, number):
    found = PortfolioVersion.objects(portfolio=portfolio_id, version=number).first()
    if found is None:
        abort(404, message=f"Version {number} is not in this portfolio's history.")
    return found


def restorable_content(portfolio, number):
    """The content of version `number`, as documents ready to put back on `portfolio`.

    Only content is restored: the address, privacy and password stay as they are now, and
    proof references are kept only where the proof still exists.
    """
    stored = Portfolio._from_son({**portfolio.to_mongo().to_dict(),
                                  **get_version(portfolio.id, number).content})
    proof_ids = _proofs_after_restore(portfolio, stored)
    if stored.profile and stored.profile.photo_proof_id not in proof_ids:
        stored.profile.photo_proof_id = None
    theme = dict(stored.theme or {})
    if theme.get("background_image_proof_id") and \
            bson.ObjectId(theme["background_image_proof_id"]) not in proof_ids:
        theme.pop("background_image_proof_id")
    stored.theme = theme
    return stored


def _proofs_after_restore(portfolio, stored):
    """Ids of the proofs attached once `stored` is put back: those attached now, and those in
    the trash with their item, which the restore brings back (services.portfolios.write)."""
    items = {(section, item.id) for section, (field, _) in SECTIONS.items()
             for item in getattr(stored, field)}
    revived = {proof.id for proof in portfolio.trash if proof.trash_reason == ITEM_REMOVED
               and (proof.item_type, proof.item_id) in items}
    return {proof.id for proof in portfolio.proofs} | revived


def delete_history(portfolio_id):
    PortfolioVersion.objects(portfolio=portfolio_id).delete()
