"""Files no proof refers to: left by a crash, or kept in the trash past its grace period."""
from datetime import timedelta

from bson import ObjectId
from flask import current_app

from ...models.portfolio import Portfolio
from ...models.user import utcnow
from .storage import chunks_collection, delete_files, file_ids_of, files_collection


def find_orphans(grace):
    """(file ids, chunk file ids) stored but referenced by no proof, older than `grace`.

    Files: `proofs.files` entries no proof (attached or in the trash) points at. Chunks: chunks
    whose file entry does not exist. An upload in progress (younger than `grace`) is never
    counted.
    """
    cutoff = utcnow() - grace
    referenced = set()
    for raw in Portfolio._get_collection().find(
            {"$or": [{"proofs.0": {"$exists": True}}, {"trash.0": {"$exists": True}}]},
            {"proofs": 1, "trash": 1}):
        referenced |= set(file_ids_of([*raw.get("proofs", []), *raw.get("trash", [])]))
    files = [entry["_id"] for entry in files_collection().find(
        {"uploadDate": {"$lt": cutoff}}, {"_id": 1}) if entry["_id"] not in referenced]
    existing = {entry["_id"] for entry in files_collection().find({}, {"_id": 1})}
    chunk_owners = [group["_id"] for group in chunks_collection().aggregate(
        [{"$group": {"_id": "$files_id"}}])]
    chunks = [file_id for file_id in chunk_owners
              if file_id not in existing and isinstance(file_id, ObjectId)
              and file_id.generation_time.replace(tzinfo=None) < cutoff]
    return files, chunks


def remove_orphans(files, chunks):
    delete_files(files)
    chunks_collection().delete_many({"files_id": {"$in": chunks}})


def purge_expired_trash(now=None):
    """Delete the proofs trashed more than PROOF_TRASH_DAYS before `now`, files included.

    Each portfolio loses its expired entries in one atomic `$pull`; the files go after it, so a
    crash in between leaves orphans for `find_orphans`, never a trash entry without its file.
    Returns how many proofs were purged.
    """
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["PROOF_TRASH_DAYS"])
    expired = {"trashed_at": {"$lt": cutoff}}
    collection = Portfolio._get_collection()
    purged = 0
    for raw in collection.find({"trash": {"$elemMatch": expired}}, {"_id": 1}):
        before = collection.find_one_and_update(
            {"_id": raw["_id"]}, {"$pull": {"trash": expired}}, projection={"trash": 1})
        gone = [entry for entry in (before or {}).get("trash", [])
                if entry.get("trashed_at") and entry["trashed_at"] < cutoff]
        delete_files(file_ids_of(gone))
        purged += len(gone)
    return purged
