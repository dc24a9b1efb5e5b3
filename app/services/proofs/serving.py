"""Serving a proof's file (or thumbnail) to any audience: streamed, with ETag and Range."""
import re
import unicodedata
from urllib.parse import quote

import gridfs
from flask import request
from flask_smorest import abort
from werkzeug.wrappers import Response

from .sniffing import EXTENSIONS, IMAGE_FORMATS, INLINE_TYPES, WEBP
from .storage import bucket

PUBLIC_MAX_AGE_SECONDS = 300


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
    # Defence in depth for anything a browser might interpret, even a download opened later.
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

