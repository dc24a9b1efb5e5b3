"""Version history: snapshots of a portfolio's content, throttled during autosave.

A snapshot is written when a save is meaningful: always on creation, import, restore, AI
replace and duplication, always just before a restore/import/replace (so what they overwrite
can be brought back), and during continuous autosave at most once per
`VERSION_SNAPSHOT_INTERVAL_SECONDS`. The newest `MAX_VERSIONS_PER_PORTFOLIO` are kept.

Proof files are not versioned: a restore keeps the portfolio's current proofs (see README).
"""
from datetime import timedelta

import bson
from flask import current_app
from flask_smorest import abort
from pymongo import DESCENDING

from ..models.portfolio import CONTENT_FIELDS, Portfolio, PortfolioVersion
from ..models.user import utcnow

# Writes that overwrite a lot at once: the state before them is always kept.
SNAPSHOT_BEFORE = frozenset({"restore", "import", "replace"})
# Writes always worth a snapshot of their result.
ALWAYS_SNAPSHOT = frozenset({"created", "duplicated", "import", "restore", "replace"})


def _content(portfolio):
    raw = portfolio.to_mongo().to_dict()
    return {field: raw[field] for field in CONTENT_FIELDS if field in raw}


def snapshot(portfolio, reason):
    """Store the portfolio's content at its current version (once per version)."""
    content = _content(portfolio)
    now = utcnow()
    PortfolioVersion._get_collection().update_one(
        {"portfolio": portfolio.id, "version": portfolio.version},
        {"$setOnInsert": {"saved_at": now, "reason": reason, "content": content,
                          "size": len(bson.encode(content))}},
        upsert=True)
    Portfolio.objects(id=portfolio.id).update_one(set__last_snapshot_at=now)
    portfolio.last_snapshot_at = now
    _prune(portfolio.id)


def record(portfolio, reason):
    """After a successful write: snapshot it if it is meaningful or the throttle allows."""
    interval = timedelta(seconds=current_app.config["VERSION_SNAPSHOT_INTERVAL_SECONDS"])
    due = portfolio.last_snapshot_at is None or utcnow() - portfolio.last_snapshot_at >= interval
    if reason in ALWAYS_SNAPSHOT or due:
        snapshot(portfolio, reason)


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
    proof_ids = {proof.id for proof in portfolio.proofs}
    if stored.profile and stored.profile.photo_proof_id not in proof_ids:
        stored.profile.photo_proof_id = None
    theme = dict(stored.theme or {})
    if theme.get("background_image_proof_id") and \
            bson.ObjectId(theme["background_image_proof_id"]) not in proof_ids:
        theme.pop("background_image_proof_id")
    stored.theme = theme
    return stored


def delete_history(portfolio_id):
    PortfolioVersion.objects(portfolio=portfolio_id).delete()
