"""GridFS storage of proof files (bucket `proofs`) and the per-user quota it counts.

Every stored file carries `metadata = {owner, portfolio, kind: original|thumbnail, content_type}`,
which is what the orphan cleanup and portfolio deletion look for.

The quota is a counter per user (`storage_usage`): a writer reserves the bytes it is about to
store with ONE conditional `$inc` that only applies while they fit, so however many uploads and
duplicates race, the total never exceeds the quota and none is refused while its bytes fit.
`delete_files` gives the bytes back. The counter starts as the sum of the user's files, and
`recount_usage` sets it to that sum again for users idle for a while (a process that died
mid-upload cannot give its reservation back).
"""
import hashlib
from dataclasses import dataclass

import gridfs
from bson import ObjectId
from flask import current_app

from ...extensions import mongo_db
from ...models.user import utcnow
from .sniffing import Refused

BUCKET = "proofs"
USAGE = "storage_usage"
# GridFS's standard chunk size, and how much of an upload is read and written at a time.
GRIDFS_CHUNK_BYTES = 255 * 1024
WRITE_BATCH = 16 * GRIDFS_CHUNK_BYTES
MB = 1024 * 1024


class TooLarge(Exception):
    """More bytes than allowed: the caller words it (file size limit or quota)."""


# --- GridFS ------------------------------------------------------------------------------------

def bucket():
    return gridfs.GridFSBucket(mongo_db(), bucket_name=BUCKET)


def files_collection():
    return mongo_db()[f"{BUCKET}.files"]


def chunks_collection():
    return mongo_db()[f"{BUCKET}.chunks"]


def ensure_indexes():
    # The index GridFS itself relies on (store() writes chunks without pymongo's upload stream).
    chunks_collection().create_index([("files_id", 1), ("n", 1)], unique=True)
    files_collection().create_index("metadata.owner")
    files_collection().create_index("metadata.portfolio")


def delete_files(file_ids):
    """Delete GridFS files (and their chunks), giving their bytes back to their owners' quota;
    ids already gone are fine."""
    file_ids = [file_id for file_id in file_ids if file_id is not None]
    entries = list(files_collection().find({"_id": {"$in": file_ids}},
                                           {"length": 1, "metadata.owner": 1}))
    for file_id in file_ids:
        try:
            bucket().delete(file_id)
        except gridfs.errors.NoFile:
            chunks_collection().delete_many({"files_id": file_id})
    for entry in entries:
        owner = (entry.get("metadata") or {}).get("owner")
        if owner is not None:
            release(owner, entry["length"])


def file_ids_of(proofs):
    """GridFS ids of proofs given as documents or raw dicts (file and thumbnail)."""
    ids = []
    for proof in proofs:
        get = proof.get if isinstance(proof, dict) else lambda name, p=proof: getattr(p, name)
        ids += [get("file_id"), get("thumbnail_file_id")]
    return [file_id for file_id in ids if file_id is not None]


# --- quota -------------------------------------------------------------------------------------

def reserve(user_id, needed):
    """Count `needed` more bytes against the user's quota if they fit: True, else False. One
    conditional update, atomic with every other writer's."""
    quota = current_app.config["USER_STORAGE_QUOTA_BYTES"]
    usage = mongo_db()[USAGE]
    if usage.count_documents({"_id": user_id}, limit=1) == 0:
        usage.update_one({"_id": user_id}, {"$setOnInsert": {
            "bytes": used_bytes(user_id), "updated_at": utcnow()}}, upsert=True)
    return usage.update_one(
        {"_id": user_id, "bytes": {"$lte": quota - needed}},
        {"$inc": {"bytes": needed}, "$set": {"updated_at": utcnow()}}).matched_count == 1


def release(user_id, freed):
    """Give `freed` bytes back to the user's quota (negative: take them, unconditionally)."""
    mongo_db()[USAGE].update_one({"_id": user_id},
                                 {"$inc": {"bytes": -freed}, "$set": {"updated_at": utcnow()}})


def bytes_left(user_id):
    usage = mongo_db()[USAGE].find_one({"_id": user_id})
    used = usage["bytes"] if usage else used_bytes(user_id)
    return current_app.config["USER_STORAGE_QUOTA_BYTES"] - used


def recount_usage(idle):
    """Set each counter idle for `idle` (a timedelta) to the sum of its user's files again:
    what a process that died mid-upload had reserved comes back. Returns how many changed."""
    changed = 0
    usage = mongo_db()[USAGE]
    for counter in usage.find({"updated_at": {"$lt": utcnow() - idle}}):
        actual = used_bytes(counter["_id"])
        changed += usage.update_one(
            {"_id": counter["_id"], "updated_at": counter["updated_at"]},
            {"$set": {"bytes": actual}}).modified_count if actual != counter["bytes"] else 0
    return changed


def used_bytes(user_id):
    """Everything the user stores in GridFS (every portfolio, originals and thumbnails)."""
    totals = list(files_collection().aggregate([
        {"$match": {"metadata.owner": user_id}},
        {"$group": {"_id": None, "total": {"$sum": "$length"}}},
    ]))
    return totals[0]["total"] if totals else 0


def _megabytes(size):
    return f"{size / MB:.1f} MB"


def quota_refusal(needed, left):
    quota = current_app.config["USER_STORAGE_QUOTA_BYTES"]
    days = current_app.config["PROOF_TRASH_DAYS"]
    return Refused(413, f"Not enough storage left: this file needs {_megabytes(needed)}, and "
                        f"{_megabytes(max(left, 0))} of your {_megabytes(quota)} remain. Proofs "
                        f"in the trash still count for {days} days after their deletion: empty "
                        f"the trash, or delete some proofs and then empty it.")


def size_limit_message():
    return f"A proof may be at most {_megabytes(current_app.config['PROOF_MAX_BYTES'])}."


def size_refusal():
    return Refused(413, size_limit_message())


def stored_length(file_ids):
    """Total size of these GridFS files."""
    totals = list(files_collection().aggregate([
        {"$match": {"_id": {"$in": list(file_ids)}}},
        {"$group": {"_id": None, "total": {"$sum": "$length"}}},
    ]))
    return totals[0]["total"] if totals else 0


# --- storing -----------------------------------------------------------------------------------

@dataclass
class Stored:
    file_id: ObjectId
    size: int
    sha256: str


def store(source, filename, metadata, max_bytes):
    """Stream a binary file object into GridFS; on any failure nothing is left behind.

    Written chunk by chunk in the GridFS layout (chunks, then the files entry that makes the
    file exist), rather than through pymongo's upload stream, which buffers up to 48 MB of
    chunks per insert: here at most WRITE_BATCH bytes of the file are in memory at once.
    Raises TooLarge as soon as more than `max_bytes` have been read.
    """
    file_id = ObjectId()
    digest = hashlib.sha256()
    size = chunk_number = 0
    pending = bytearray()

    def write_chunks(final):
        nonlocal chunk_number
        whole = len(pending) if final else len(pending) - len(pending) % GRIDFS_CHUNK_BYTES
        documents = [{"files_id": file_id, "n": chunk_number + index,
                      "data": bytes(pending[offset:offset + GRIDFS_CHUNK_BYTES])}
                     for index, offset in enumerate(range(0, whole, GRIDFS_CHUNK_BYTES))]
        if documents:
            chunks_collection().insert_many(documents)
        chunk_number += len(documents)
        del pending[:whole]

    try:
        while block := source.read(WRITE_BATCH):
            size += len(block)
            if size > max_bytes:
                raise TooLarge()
            digest.update(block)
            pending += block
            write_chunks(final=False)
        write_chunks(final=True)
        files_collection().insert_one({
            "_id": file_id, "length": size, "chunkSize": GRIDFS_CHUNK_BYTES,
            "uploadDate": utcnow(), "filename": filename, "metadata": metadata,
            "sha256": digest.hexdigest()})
    except BaseException:
        chunks_collection().delete_many({"files_id": file_id})
        raise
    return Stored(file_id, size, digest.hexdigest())

