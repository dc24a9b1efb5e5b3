"""Proof files: safe uploads attached to a portfolio's items, edited, trashed and restored.

The package's rooms: `sniffing` (what a file is), `images` (re-encoding, thumbnails),
`storage` (GridFS and the quota), `serving` (every route's response), `cleanup` (orphans and the
trash's purge). This module holds the operations on a portfolio's proofs.

- The proof's metadata lives in `Portfolio.proofs`, changed with atomic `$push`/`$pull`/`$set`
  on the portfolio document WITHOUT bumping its `version`: proofs are not versioned content, so
  attaching a file never makes an editor's next autosave a 409. The item a proof attaches to is
  part of the update filter, so a concurrent item delete cannot leave a proof attached to nothing.
- Deleting a proof, or removing its item, moves it to `Portfolio.trash` (files kept, still
  counted in the quota) for PROOF_TRASH_DAYS; a restore that brings the item back brings its
  proofs back (`services.portfolios.write`), and the owner can restore or purge one by hand.
- A refused, over-limit or failed upload deletes the chunks it wrote before any `proofs.files`
  entry exists: nothing is left behind. `cleanup.find_orphans` deals with what a crash left.
"""
import io

import gridfs
from bson import ObjectId
from flask import current_app
from flask_smorest import abort
from pymongo import ReturnDocument

from ...models.portfolio import (
    MAX_PROOFS_PER_PORTFOLIO, PROOF_DELETED, SECTIONS, Portfolio, Proof,
)
from ...extensions import mongo_db
from ...models.user import utcnow
from .. import accounts, portfolios
from .cleanup import find_orphans, purge_expired_trash, remove_orphans  # noqa: F401
from .images import clean_image
from .serving import read_proof_bytes, send_proof  # noqa: F401
from .sniffing import IMAGE_FORMATS, WEBP, Refused, detect_type, safe_filename
from .storage import (  # noqa: F401
    USAGE, WRITE_BATCH, TooLarge, bucket, bytes_left, delete_files, ensure_indexes, file_ids_of,
    files_collection, quota_refusal, recount_usage, release, reserve, size_refusal,
    size_limit_message, store, stored_length, used_bytes,
)

# Accepted `item_type` values → the stored section name (the singular forms are accepted too).
ITEM_TYPES = {"profile": "profile",
              **{section: section for section in SECTIONS},
              **{section.removesuffix("s"): section for section in SECTIONS}}


def _item_filter(item_type, item_id):
    """The update-filter clause that holds only while the item exists."""
    if item_type == "profile":
        return {}
    field, _ = SECTIONS[item_type]
    return {f"{field}.id": item_id}


def _room_for_a_proof():
    """The update-filter clause that holds while the portfolio has room for one more proof."""
    return {f"proofs.{MAX_PROOFS_PER_PORTFOLIO - 1}": {"$exists": False}}


def resolve_item(portfolio, item_type, item_id):
    """Normalise (`item_type`, `item_id`) and check the item exists in the portfolio (422)."""
    section = ITEM_TYPES.get(item_type)
    if section is None:
        abort(422, message=f"Unknown item type '{item_type}'.",
              errors={"item_type": [f"Must be one of: {', '.join(sorted(ITEM_TYPES))}."]})
    if section == "profile":
        return section, None
    if not item_id:
        abort(422, message="`item_id` is required for this item type.",
              errors={"item_id": ["Missing data for required field."]})
    field, _ = SECTIONS[section]
    if not any(str(item.id) == str(item_id) for item in getattr(portfolio, field)):
        abort(422, message=f"There is no such item in {section}.",
              errors={"item_id": ["No item with this id in this portfolio."]})
    return section, ObjectId(item_id)


def _stored_proof(upload, portfolio, user_id, max_bytes):
    """Store the upload's bytes (cleaned if an image); returns the Proof (not yet attached)."""
    content_type = detect_type(upload.stream)
    filename = safe_filename(upload.filename, content_type)
    metadata = {"owner": user_id, "portfolio": portfolio.id, "kind": "original",
                "content_type": content_type}
    proof = Proof(id=ObjectId(), filename=filename, content_type=content_type)
    if content_type in IMAGE_FORMATS:
        data = upload.stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise TooLarge()
        cleaned, proof.width, proof.height, thumbnail = clean_image(data, content_type)
        if len(cleaned) + len(thumbnail) > max_bytes:
            raise TooLarge()
        stored = store(io.BytesIO(cleaned), filename, metadata, max_bytes)
        try:
            proof.thumbnail_file_id = store(
                io.BytesIO(thumbnail), f"thumbnail-{filename}",
                {**metadata, "kind": "thumbnail", "content_type": WEBP}, max_bytes).file_id
        except BaseException:
            delete_files([stored.file_id])
            raise
    else:
        stored = store(upload.stream, filename, metadata, max_bytes)
    proof.file_id, proof.size, proof.sha256 = stored.file_id, stored.size, stored.sha256
    return proof


def upload_proof(portfolio_id, user, upload, data):
    """Store `upload` (a werkzeug FileStorage) and attach it to an item of the portfolio."""
    portfolio = portfolios.get_owned(portfolio_id, user)
    item_type, item_id = resolve_item(portfolio, data["item_type"], data.get("item_id"))
    if len(portfolio.proofs) >= MAX_PROOFS_PER_PORTFOLIO:
        abort(422, message=f"A portfolio holds at most {MAX_PROOFS_PER_PORTFOLIO} proofs.")
    proof = _store_within_quota(upload, portfolio, user.id)
    proof.item_type, proof.item_id = item_type, item_id
    proof.title, proof.visibility = data.get("title") or proof.filename, data["visibility"]
    proof.created_at = utcnow()
    result = Portfolio._get_collection().update_one(
        {"_id": portfolio.id, "owner": user.id, **_room_for_a_proof(),
         **_item_filter(item_type, item_id)},
        {"$push": {"proofs": proof.to_mongo()}})
    if not result.matched_count:
        delete_files(file_ids_of([proof]))
        abort(422, message="The item was deleted, or the portfolio is full of proofs, while the "
                           "file was uploading; nothing was kept.")
    return proof


def _store_within_quota(upload, portfolio, user_id):
    """Reserve the upload's size in the quota, store it, then count what was really stored
    (an image is re-encoded and gets a thumbnail): 413 when it does not fit."""
    max_size = current_app.config["PROOF_MAX_BYTES"]
    size = _upload_size(upload)
    if size > max_size:
        abort(413, message=size_refusal().message)
    if not reserve(user_id, size):
        abort(413, message=quota_refusal(size, bytes_left(user_id)).message)
    ensure_indexes()
    try:
        proof = _stored_proof(upload, portfolio, user_id, max_size)
    except BaseException as exc:
        release(user_id, size)
        if isinstance(exc, TooLarge):
            abort(413, message=size_refusal().message)
        if isinstance(exc, Refused):
            abort(exc.status, message=exc.message)
        raise
    stored = stored_length(file_ids_of([proof]))
    if stored > size and not reserve(user_id, stored - size):
        delete_files(file_ids_of([proof]))  # gives `stored` back
        release(user_id, size - stored)
        abort(413, message=quota_refusal(stored, bytes_left(user_id)).message)
    if stored < size:
        release(user_id, size - stored)
    return proof


def _upload_size(upload):
    stream = upload.stream
    stream.seek(0, io.SEEK_END)
    return stream.tell()


# --- metadata ----------------------------------------------------------------------------------

def find_proof(portfolio, proof_id):
    """The proof of this portfolio, or 404."""
    for proof in portfolio.proofs:
        if str(proof.id) == str(proof_id):
            return proof
    abort(404, message="Proof not found.")


def update_proof(portfolio_id, user, proof_id, changes):
    """Edit a proof's title/visibility, or move it to another item (which must exist: 422)."""
    portfolio = portfolios.get_owned(portfolio_id, user)
    proof = find_proof(portfolio, proof_id)
    updates = {key: changes[key] for key in ("title", "visibility") if key in changes}
    item_filter = {}
    if "item_type" in changes or "item_id" in changes:
        item_type, item_id = resolve_item(portfolio, changes.get("item_type", proof.item_type),
                                          changes.get("item_id", proof.item_id))
        updates.update(item_type=item_type, item_id=item_id)
        item_filter = _item_filter(item_type, item_id)
    if not updates:
        return proof
    raw = Portfolio._get_collection().find_one_and_update(
        {"_id": portfolio.id, "owner": user.id, "proofs.id": proof.id, **item_filter},
        {"$set": {f"proofs.$[proof].{key}": value for key, value in updates.items()}},
        array_filters=[{"proof.id": proof.id}], projection={"proofs": 1},
        return_document=ReturnDocument.AFTER)
    if raw is None:
        abort(422, message="The proof or its new item was deleted meanwhile.")
    return next(Proof._from_son(entry) for entry in raw["proofs"] if entry["id"] == proof.id)


def delete_proof(portfolio_id, user, proof_id):
    """Move the proof to the trash (its files stay); references to it as photo/background go."""
    portfolio = portfolios.get_owned(portfolio_id, user)
    proof = find_proof(portfolio, proof_id)
    proof.trashed_at, proof.trash_reason = utcnow(), PROOF_DELETED
    collection = Portfolio._get_collection()
    moved = collection.update_one(
        {"_id": portfolio.id, "proofs.id": proof.id},
        {"$pull": {"proofs": {"id": proof.id}}, "$push": {"trash": proof.to_mongo()}})
    if not moved.matched_count:
        abort(404, message="Proof not found.")
    collection.update_one({"_id": portfolio.id, "profile.photo_proof_id": proof.id},
                          {"$unset": {"profile.photo_proof_id": ""}})
    collection.update_one({"_id": portfolio.id, "theme.background_image_proof_id": str(proof.id)},
                          {"$unset": {"theme.background_image_proof_id": ""}})


# --- the trash ---------------------------------------------------------------------------------

def find_trashed(portfolio, proof_id):
    for proof in portfolio.trash:
        if str(proof.id) == str(proof_id):
            return proof
    abort(404, message="This proof is not in the trash.")


def restore_trashed(portfolio_id, user, proof_id):
    """Attach a trashed proof again; its item must exist (restore a version holding it first)."""
    portfolio = portfolios.get_owned(portfolio_id, user)
    proof = find_trashed(portfolio, proof_id)
    if proof.item_type != "profile" and not any(
            item.id == proof.item_id for item in getattr(portfolio, SECTIONS[proof.item_type][0])):
        abort(422, message="The item this proof belongs to was deleted: restore a version that "
                           "holds the item, and the proof comes back with it.",
              errors={"item_id": ["No item with this id in this portfolio."]})
    proof.trashed_at = proof.trash_reason = None
    moved = Portfolio._get_collection().update_one(
        {"_id": portfolio.id, "trash.id": proof.id, **_room_for_a_proof(),
         **_item_filter(proof.item_type, proof.item_id)},
        {"$pull": {"trash": {"id": proof.id}}, "$push": {"proofs": proof.to_mongo()}})
    if not moved.matched_count:
        abort(422, message=f"Nothing was restored: the portfolio already holds "
                           f"{MAX_PROOFS_PER_PORTFOLIO} proofs, or the proof or its item changed "
                           f"meanwhile.")
    return proof


def purge_trashed(portfolio_id, user, proof_id):
    """Delete a trashed proof for good, files included (frees its storage at once)."""
    portfolio = portfolios.get_owned(portfolio_id, user)
    proof = find_trashed(portfolio, proof_id)
    pulled = Portfolio._get_collection().update_one(
        {"_id": portfolio.id, "trash.id": proof.id}, {"$pull": {"trash": {"id": proof.id}}})
    if not pulled.matched_count:
        abort(404, message="This proof is not in the trash.")
    delete_files(file_ids_of([proof]))


# --- lifecycle ---------------------------------------------------------------------------------

def delete_portfolio_files(portfolio):
    """DELETE_HOOKS: every file stored for the portfolio (attached, trashed or left over)."""
    ids = set(file_ids_of([*portfolio.proofs, *portfolio.trash]))
    ids |= {entry["_id"] for entry in files_collection().find(
        {"metadata.portfolio": portfolio.id}, {"_id": 1})}
    delete_files(ids)


def _copy_file(file_id, owner_id, portfolio_id):
    source = bucket().open_download_stream(file_id)
    metadata = {**(source.metadata or {}), "owner": owner_id, "portfolio": portfolio_id}
    return store(source, source.filename, metadata, source.length).file_id


def copy_proofs(source, copy, new_ids):
    """DUPLICATE_HOOKS: the copy gets its own files, attached to its own (re-id'd) items."""
    source = Portfolio.objects.get(id=source.id)
    to_copy = [proof for proof in source.proofs
               if proof.item_type == "profile" or proof.item_id in new_ids]
    needed = stored_length(file_ids_of(to_copy))
    owner_id = copy.owner.id
    if not reserve(owner_id, needed):
        portfolios.delete(copy)
        abort(413, message=quota_refusal(needed, bytes_left(owner_id)).message.replace(
            "this file", "the copy"))
    copied, new_proof_ids = [], {}
    try:
        for proof in to_copy:
            new = Proof._from_son(proof.to_mongo().to_dict())
            new.id = new_proof_ids[proof.id] = ObjectId()
            new.item_id = new_ids.get(proof.item_id)
            new.file_id = _copy_file(proof.file_id, copy.owner.id, copy.id)
            copied.append(new)
            if proof.thumbnail_file_id:
                new.thumbnail_file_id = _copy_file(proof.thumbnail_file_id, copy.owner.id, copy.id)
    except BaseException:
        copied_bytes = stored_length(file_ids_of(copied))
        delete_files(file_ids_of(copied))  # gives `copied_bytes` back
        release(owner_id, needed - copied_bytes)
        raise
    update = {"proofs": [proof.to_mongo() for proof in copied]}
    photo = source.profile.photo_proof_id if source.profile else None
    if photo in new_proof_ids:
        update["profile.photo_proof_id"] = new_proof_ids[photo]
    background = (source.theme or {}).get("background_image_proof_id")
    if background and ObjectId(background) in new_proof_ids:
        update["theme.background_image_proof_id"] = str(new_proof_ids[ObjectId(background)])
    Portfolio._get_collection().update_one({"_id": copy.id}, {"$set": update})
    copy.reload()


def export_proofs(user, archive):
    """ACCOUNT_EXPORTERS: every proof file, under proofs/<portfolio slug>/ (the trash's under
    proofs/<portfolio slug>/trash/)."""
    for portfolio in Portfolio.objects(owner=user):
        folder = f"proofs/{portfolio.slug}"
        for proof, path in [*((proof, folder) for proof in portfolio.proofs),
                            *((proof, f"{folder}/trash") for proof in portfolio.trash)]:
            try:
                source = bucket().open_download_stream(proof.file_id)
            except gridfs.errors.NoFile:
                continue
            with source, archive.open(f"{path}/{proof.id}-{proof.filename}",
                                      "w", force_zip64=True) as target:
                while block := source.read(WRITE_BATCH):
                    target.write(block)


def forget_usage(user):
    """ACCOUNT_CLEANUPS: the deleted account's quota counter (its files are gone already)."""
    mongo_db()[USAGE].delete_one({"_id": user.id})


portfolios.DELETE_HOOKS.append(delete_portfolio_files)
portfolios.DUPLICATE_HOOKS.append(copy_proofs)
accounts.ACCOUNT_EXPORTERS.append(export_proofs)
accounts.ACCOUNT_CLEANUPS.append(forget_usage)
