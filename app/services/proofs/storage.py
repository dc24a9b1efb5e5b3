"""GridFS storage of proof files (bucket `proofs`) and the per-user quota it counts.

Every stored file carries `metadata = {owner, portfolio, kind: original|thumbnail, content_type}`,
which is what the quota sums and what the orphan cleanup and portfolio deletion look for.
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
    """Delete GridFS files (and their chunks); ids already gone are fine."""
    for file_id in file_ids:
        if file_id is None:
            continue
        try:
            bucket().delete(file_id)
        except gridfs.errors.NoFile:
            chunks_collection().delete_many({"files_id": file_id})


def file_ids_of(proofs):
    """GridFS ids of proofs given as documents or raw dicts (file and thumbnail)."""
    ids = []
    for proof in proofs:
        get = proof.get if isinstance(proof, dict) else lambda name, p=proof: getattr(p, name)
        ids += [get("file_id"), get("thumbnail_file_id")]
    return [file_id for file_id in ids if file_id is not None]


# --- quota -------------------------------------------------------------------------------------

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

