"""Proof files: safe uploads into GridFS, their metadata in the portfolio, and serving them.

- The bytes live in the GridFS bucket `proofs`; every stored file carries
  `metadata = {owner, portfolio, kind: original|thumbnail, content_type, sha256}`, which is what
  the per-user quota sums and what the orphan cleanup and portfolio deletion look for.
- The proof's metadata lives in `Portfolio.proofs`, changed with atomic `$push`/`$pull`/`$set`
  on the portfolio document WITHOUT bumping its `version`: proofs are not versioned content, so
  attaching a file never makes an editor's next autosave a 409. The item a proof attaches to is
  part of the update filter, so a concurrent item delete cannot leave a proof attached to nothing.
- The type is decided by the content (magic bytes, plus structure checks for PDF and ZIP-based
  documents), never by the name or the declared type; a name whose extension disagrees with the
  content is refused too.
- A refused, over-limit or failed upload deletes the chunks it wrote before any `proofs.files`
  entry exists: nothing is left behind. `find_orphans`/`remove_orphans` (the `flask
  proofs-cleanup` command) deal with whatever a crash left anyway.
"""
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

import gridfs
from bson import ObjectId
from flask import current_app, request
from flask_smorest import abort
from PIL import Image, ImageOps, UnidentifiedImageError
from pymongo import ReturnDocument
from werkzeug.wrappers import Response

from ...extensions import mongo_db
from ...models.portfolio import SECTIONS, Portfolio, Proof
from ...models.user import utcnow
from .. import accounts, portfolios

BUCKET = "proofs"
# GridFS's standard chunk size, and how much of an upload is read and written at a time.
GRIDFS_CHUNK_BYTES = 255 * 1024
WRITE_BATCH = 16 * GRIDFS_CHUNK_BYTES
SNIFF_BYTES = 4096
THUMBNAIL_MAX_SIDE = 480
MAX_PROOFS_PER_PORTFOLIO = 100
PUBLIC_MAX_AGE_SECONDS = 300
MB = 1024 * 1024

# Accepted `item_type` values → the stored section name (the singular forms are accepted too).
ITEM_TYPES = {"profile": "profile",
              **{section: section for section in SECTIONS},
              **{section.removesuffix("s"): section for section in SECTIONS}}

PDF, PNG, JPEG, WEBP, GIF = ("application/pdf", "image/png", "image/jpeg", "image/webp",
                             "image/gif")
MP4, WEBM = "video/mp4", "video/webm"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
# Content type → the extensions a file of that type may be named with (the first is the default).
EXTENSIONS = {
    PDF: ("pdf",), PNG: ("png",), JPEG: ("jpg", "jpeg", "jpe", "jfif"), WEBP: ("webp",),
    GIF: ("gif",), MP4: ("mp4", "m4v"), WEBM: ("webm",), DOCX: ("docx",), ODT: ("odt",),
}
IMAGE_FORMATS = {PNG: "PNG", JPEG: "JPEG", WEBP: "WEBP", GIF: "GIF"}
INLINE_TYPES = frozenset({PDF, *IMAGE_FORMATS})
# ISO base media "major brands" that are MP4 video (QuickTime `qt  ` and HEIF images are not).
MP4_BRANDS = frozenset({b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42",
                        b"avc1", b"M4V ", b"M4VH", b"M4VP", b"dash", b"msnv", b"mmp4", b"f4v "})
DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# Image info that is rendering, not metadata: everything else (EXIF, XMP, ICC, comments, text
# chunks) is dropped before re-encoding.
KEEP_IMAGE_INFO = ("transparency", "duration", "loop", "background")


class Refused(Exception):
    """The upload cannot be stored: (HTTP status, message)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


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


def _quota_refusal(needed, left):
    quota = current_app.config["USER_STORAGE_QUOTA_BYTES"]
    return Refused(413, f"Not enough storage left: this file needs {_megabytes(needed)}, and "
                        f"{_megabytes(max(left, 0))} of your {_megabytes(quota)} remain. "
                        f"Delete some proofs first.")


def size_limit_message():
    return f"A proof may be at most {_megabytes(current_app.config['PROOF_MAX_BYTES'])}."


def _size_refusal():
    return Refused(413, size_limit_message())


def stored_length(file_ids):
    """Total size of these GridFS files."""
    totals = list(files_collection().aggregate([
        {"$match": {"_id": {"$in": list(file_ids)}}},
        {"$group": {"_id": None, "total": {"$sum": "$length"}}},
    ]))
    return totals[0]["total"] if totals else 0


# --- recognising the type ------------------------------------------------------------------------

def sniff(head):
    """The content type from a file's first bytes, or None (refused)."""
    if re.match(rb"%PDF-[12]\.\d", head):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return MP4
    # EBML header whose DocType is "webm" (plain Matroska is not accepted).
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"\x42\x82\x84webm" in head[:64]:
        return WEBM
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _zip_document_type(stream):
    """DOCX or ODT when the ZIP really is one (checked from its directory), else None."""
    try:
        archive = zipfile.ZipFile(stream)
        names = set(archive.namelist())
        if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
            if archive.read("mimetype").strip() == ODT.encode() and "content.xml" in names:
                return ODT
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            with archive.open("[Content_Types].xml") as types:
                if DOCX_MAIN in types.read(256 * 1024):
                    return DOCX
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None
    return None


def _pdf_has_trailer(stream):
    """A real PDF ends with `%%EOF` (within its last KB, allowing trailing junk/newlines)."""
    stream.seek(0, io.SEEK_END)
    stream.seek(max(stream.tell() - 1024, 0))
    return b"%%EOF" in stream.read()


def detect_type(stream):
    """The accepted content type of a seekable upload, or raise Refused(415)."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    kind = sniff(head)
    if kind == "zip":
        kind = _zip_document_type(stream)
    elif kind == PDF and not _pdf_has_trailer(stream):
        kind = None
    stream.seek(0)
    if kind is None:
        raise Refused(415, "This file type is not accepted. Upload a PDF, PNG, JPEG, WebP or GIF "
                           "image, an MP4 or WebM video, or a DOCX/ODT document.")
    return kind


def safe_filename(filename, content_type):
    """A displayable name whose extension matches the content (a mismatch is refused)."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip().strip(".")[:200]
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    allowed = EXTENSIONS[content_type]
    if extension and extension.lower() not in allowed:
        raise Refused(415, f"The file's content is {content_type}, but its name ends in "
                           f".{extension}; rename it or upload the right file.")
    return f"{stem or 'proof'}.{extension.lower() or allowed[0]}"


# --- images ------------------------------------------------------------------------------------

def _open_image(data):
    limit = current_app.config["PROOF_MAX_IMAGE_PIXELS"]
    try:
        image = Image.open(io.BytesIO(data))
        frames = getattr(image, "n_frames", 1)
        if image.width * image.height * frames > limit:
            raise Refused(413, f"This image has too many pixels (at most {limit:,} in all).")
        image.load()
        return image
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError,
            ValueError, EOFError) as exc:
        raise Refused(415, "This image is damaged or not a real image.") from exc


def clean_image(data, content_type):
    """Re-encode an image with its orientation applied and all metadata gone.

    Returns (stored bytes, width, height, thumbnail bytes in WebP).
    """
    image = _open_image(data)
    animated = getattr(image, "is_animated", False)
    if not animated:
        image = ImageOps.exif_transpose(image)
    image.info = {key: value for key, value in image.info.items() if key in KEEP_IMAGE_INFO}
    output = io.BytesIO()
    options = {"icc_profile": None, "exif": b""}
    if content_type == JPEG:
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        options.update(quality=90)
    elif content_type == WEBP:
        options.update(quality=90)
    if animated:
        options.update(save_all=True)
    image.save(output, IMAGE_FORMATS[content_type], **options)

    thumbnail = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    thumbnail.thumbnail((THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE))
    thumbnail_output = io.BytesIO()
    thumbnail.save(thumbnail_output, "WEBP", quality=80)
    return output.getvalue(), image.width, image.height, thumbnail_output.getvalue()


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


def _item_filter(item_type, item_id):
    """The update-filter clause that holds only while the item exists."""
    if item_type == "profile":
        return {}
    field, _ = SECTIONS[item_type]
    return {f"{field}.id": item_id}


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
    max_size = current_app.config["PROOF_MAX_BYTES"]
    left = current_app.config["USER_STORAGE_QUOTA_BYTES"] - used_bytes(user.id)
    ensure_indexes()
    try:
        proof = _stored_proof(upload, portfolio, user.id, min(max_size, max(left, 0)))
    except TooLarge:
        size = _upload_size(upload)
        refused = _size_refusal() if size > max_size else _quota_refusal(size, left)
        abort(refused.status, message=refused.message)
    except Refused as refused:
        abort(refused.status, message=refused.message)
    stored_total = stored_length(file_ids_of([proof]))
    if used_bytes(user.id) > current_app.config["USER_STORAGE_QUOTA_BYTES"]:
        # Another upload finished meanwhile and the two together do not fit.
        delete_files(file_ids_of([proof]))
        abort(413, message=_quota_refusal(stored_total, left - stored_total).message)
    proof.item_type, proof.item_id = item_type, item_id
    proof.title, proof.visibility = data.get("title") or proof.filename, data["visibility"]
    proof.created_at = utcnow()
    result = Portfolio._get_collection().update_one(
        {"_id": portfolio.id, "owner": user.id,
         f"proofs.{MAX_PROOFS_PER_PORTFOLIO - 1}": {"$exists": False},
         **_item_filter(item_type, item_id)},
        {"$push": {"proofs": proof.to_mongo()}})
    if not result.matched_count:
        delete_files(file_ids_of([proof]))
        abort(422, message="The item was deleted, or the portfolio is full of proofs, while the "
                           "file was uploading; nothing was kept.")
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
    """Detach the proof, then delete its files; references to it as photo/background go too."""
    portfolio = portfolios.get_owned(portfolio_id, user)
    proof = find_proof(portfolio, proof_id)
    collection = Portfolio._get_collection()
    before = collection.find_one_and_update(
        {"_id": portfolio.id, "proofs.id": proof.id}, {"$pull": {"proofs": {"id": proof.id}}},
        projection={"proofs": 1})
    if before is None:
        abort(404, message="Proof not found.")
    collection.update_one({"_id": portfolio.id, "profile.photo_proof_id": proof.id},
                          {"$unset": {"profile.photo_proof_id": ""}})
    collection.update_one({"_id": portfolio.id, "theme.background_image_proof_id": str(proof.id)},
                          {"$unset": {"theme.background_image_proof_id": ""}})
    delete_files(file_ids_of(entry for entry in before["proofs"] if entry["id"] == proof.id))


# --- serving -----------------------------------------------------------------------------------

def _content_disposition(proof, content_type, thumbnail):
    disposition = "inline" if content_type in INLINE_TYPES else "attachment"
    name = proof.filename or f"proof.{EXTENSIONS.get(content_type, ('bin',))[0]}"
    if thumbnail:
        name = f"{name.rsplit('.', 1)[0]}-thumbnail.webp"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name) or "proof"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _stream(grid_out, start, end):
    """The bytes [start, end) of a GridFS file, chunk by chunk."""
    try:
        grid_out.seek(start)
        remaining = end - start
        while remaining > 0:
            block = grid_out.readchunk()
            if not block:
                break
            block = block[:remaining]
            remaining -= len(block)
            yield block
    finally:
        grid_out.close()


def send_proof(proof, *, thumbnail=False, private_cache=True):
    """The proof's file (or thumbnail) as a streamed response, for every route.

    Supports `If-None-Match` (304), a single `Range` (206 / 416; a multi-range request gets the
    whole file) and `If-Range`. The caller has already decided that the audience may see it.
    """
    file_id = proof.thumbnail_file_id if thumbnail else proof.file_id
    if file_id is None:
        abort(404, message="This proof has no thumbnail.")
    try:
        grid_out = bucket().open_download_stream(file_id)
    except gridfs.errors.NoFile:
        abort(404, message="Proof file not found.")
    content_type = (grid_out.metadata or {}).get("content_type") or proof.content_type
    etag = getattr(grid_out, "sha256", None) or str(file_id)
    headers = {
        "ETag": f'"{etag}"',
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-cache" if private_cache
        else f"public, max-age={PUBLIC_MAX_AGE_SECONDS}",
        "Content-Disposition": _content_disposition(proof, content_type, thumbnail),
    }
    if content_type != "application/pdf":
        # Defence in depth for anything a browser might interpret. Not for PDFs: Chrome's
        # built-in viewer refuses to open a document served in a CSP sandbox.
        headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if request.if_none_match.contains_weak(etag):  # RFC 9110: weak comparison here
        grid_out.close()
        return Response(status=304, headers=headers)

    length = grid_out.length
    start, end, status = 0, length, 200
    if request.range and request.if_range.etag in (None, etag) and not request.if_range.date:
        byte_range = request.range.range_for_length(length)
        if byte_range is None and len(request.range.ranges) == 1:
            grid_out.close()
            abort(416, message="The requested range is outside the file.",
                  headers={"Content-Range": f"bytes */{length}", **headers})
        if byte_range is not None:
            (start, end), status = byte_range, 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{length}"
    headers["Content-Length"] = str(end - start)
    return Response(_stream(grid_out, start, end), status=status, headers=headers,
                    mimetype=content_type, direct_passthrough=True)


def read_proof_bytes(portfolio, proof_id, thumbnail=False):
    """(bytes, content type) of an image proof of `portfolio`, for embedding in a PDF; None for
    any other proof. The caller decides visibility (it renders from `visible_proofs`)."""
    proof = next((p for p in portfolio.proofs if str(p.id) == str(proof_id)), None)
    if proof is None or proof.content_type not in IMAGE_FORMATS:
        return None
    file_id = proof.thumbnail_file_id if thumbnail else proof.file_id
    try:
        data = bucket().open_download_stream(file_id).read()
    except gridfs.errors.NoFile:
        return None
    return data, WEBP if thumbnail else proof.content_type


# --- lifecycle ---------------------------------------------------------------------------------

def delete_portfolio_files(portfolio):
    """DELETE_HOOKS: every file stored for the portfolio (attached or left over)."""
    ids = set(file_ids_of(portfolio.proofs))
    ids |= {entry["_id"] for entry in files_collection().find(
        {"metadata.portfolio": portfolio.id}, {"_id": 1})}
    delete_files(ids)


def delete_detached_files(portfolio, detached):
    """PROOFS_DETACHED_HOOKS: a write removed items, and their proofs with them."""
    delete_files(file_ids_of(detached))


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
    left = current_app.config["USER_STORAGE_QUOTA_BYTES"] - used_bytes(copy.owner.id)
    if needed > left:
        portfolios.delete(copy)
        abort(413, message=_quota_refusal(needed, left).message.replace("this file", "the copy"))
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
        delete_files(file_ids_of(copied))
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
    """ACCOUNT_EXPORTERS: every proof file, under proofs/<portfolio slug>/."""
    for portfolio in Portfolio.objects(owner=user):
        for proof in portfolio.proofs:
            try:
                source = bucket().open_download_stream(proof.file_id)
            except gridfs.errors.NoFile:
                continue
            with source, archive.open(f"proofs/{portfolio.slug}/{proof.id}-{proof.filename}",
                                      "w", force_zip64=True) as target:
                while block := source.read(WRITE_BATCH):
                    target.write(block)


def find_orphans(grace):
    """(file ids, chunk file ids) stored but referenced by no proof, older than `grace`.

    Files: `proofs.files` entries no proof points at. Chunks: chunks whose file entry does not
    exist. An upload in progress (younger than `grace`) is never counted.
    """
    cutoff = utcnow() - grace
    referenced = set()
    for raw in Portfolio._get_collection().find({"proofs.0": {"$exists": True}}, {"proofs": 1}):
        referenced |= set(file_ids_of(raw["proofs"]))
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


portfolios.DELETE_HOOKS.append(delete_portfolio_files)
portfolios.DUPLICATE_HOOKS.append(copy_proofs)
portfolios.PROOFS_DETACHED_HOOKS.append(delete_detached_files)
accounts.ACCOUNT_EXPORTERS.append(export_proofs)
