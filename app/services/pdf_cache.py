"""Rendered PDFs kept in GridFS (bucket `pdf_cache`), shared by every app server.

An entry is keyed by (portfolio id, version, audience) plus a digest of the view it was rendered
from, so anything that changes what an audience sees (a new version, a proof added) renders
again. Writing an entry drops the portfolio's entries of older versions; the bucket keeps at
most PDF_CACHE_MAX_ENTRIES files, oldest evicted first.
"""
import hashlib
import json

import gridfs
from flask import current_app

from ..extensions import mongo_db
from . import portfolios

BUCKET = "pdf_cache"


def _bucket():
    return gridfs.GridFSBucket(mongo_db(), bucket_name=BUCKET)


def _files():
    return mongo_db()[f"{BUCKET}.files"]


def ensure_indexes():
    """GridFS's own indexes (pymongo makes them at a bucket's first upload: the lookup by
    filename needs them) and the eviction's."""
    _files().create_index([("filename", 1), ("uploadDate", 1)])
    mongo_db()[f"{BUCKET}.chunks"].create_index([("files_id", 1), ("n", 1)], unique=True)
    _files().create_index("metadata.portfolio")


def cache_key(portfolio, audience, view, variant=""):
    """`variant` names whatever else shapes the PDF (the site's address, a recruiter link)."""
    digest = hashlib.sha256(json.dumps([view, variant], sort_keys=True, default=str).encode())
    return f"{portfolio.id}/{portfolio.version}/{audience}/{digest.hexdigest()[:32]}"


def get_or_render(portfolio, audience, view, variant, render):
    """The PDF bytes for this view: from the cache, else `render()` and stored."""
    key = cache_key(portfolio, audience, view, variant)
    cached = _files().find_one({"filename": key}, {"_id": 1}, sort=[("uploadDate", -1)])
    if cached is not None:
        try:
            return _bucket().open_download_stream(cached["_id"]).read()
        except gridfs.errors.NoFile:  # evicted by another server meanwhile
            pass
    data = render()
    _store(portfolio, audience, key, data)
    return data


def _store(portfolio, audience, key, data):
    files = _files()
    ensure_indexes()
    _bucket().upload_from_stream(key, data, metadata={
        "portfolio": portfolio.id, "version": portfolio.version, "audience": audience,
        "contentType": "application/pdf"})
    stale = files.find({"metadata.portfolio": portfolio.id,
                        "metadata.version": {"$lt": portfolio.version}}, {"_id": 1})
    _delete([entry["_id"] for entry in stale])
    excess = files.count_documents({}) - current_app.config["PDF_CACHE_MAX_ENTRIES"]
    if excess > 0:
        oldest = files.find({}, {"_id": 1}).sort("uploadDate", 1).limit(excess)
        _delete([entry["_id"] for entry in oldest])


def _delete(file_ids):
    bucket = _bucket()
    for file_id in file_ids:
        try:
            bucket.delete(file_id)
        except gridfs.errors.NoFile:  # another server deleted it first
            pass


def drop_portfolio(portfolio):
    _delete([entry["_id"] for entry in
             _files().find({"metadata.portfolio": portfolio.id}, {"_id": 1})])


portfolios.DELETE_HOOKS.append(drop_portfolio)
