"""Audience data: visits waiting to be counted, raw visits (capped), daily rollups, visitor keys,
salts, notifications.

The outbox, visits, rollups, visitor keys and salts are written with pymongo directly: the
workers need atomic claims, `$inc`/`$min`/`$max` upserts on dynamic keys (countries, sources,
referrers) and a capped collection, which MongoEngine documents do not express. Notifications
are an ordinary document.

What is stored about a visit (see README "Audience and privacy"): portfolio, kind, source,
time, referrer host, user-agent family, country, city and a visitor key. Never the IP address.
"""
import logging
from datetime import datetime, timezone

from mongoengine import BooleanField, DateTimeField, DictField, Document, ObjectIdField, StringField
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import CollectionInvalid, PyMongoError

from ..extensions import mongo_db
from .user import utcnow

log = logging.getLogger(__name__)

VISIT_OUTBOX = "visit_outbox"    # visits accepted by a request, until a worker has counted them
VISITS = "visits"                # capped: the raw log, rolls over by design
ROLLUPS = "visit_rollups"        # one document per portfolio per day, kept for good
VISITOR_KEYS = "visitor_keys"    # unique counting and the 30-minute repeat window (TTL)
VISITOR_SALTS = "visitor_salts"  # one random salt per day, forgotten after two days (TTL)
VISIT_KINDS = ("page", "pdf", "proof")
PUBLIC_SOURCE = "public"


def utc_today():
    """Statistics count UTC days."""
    return datetime.now(timezone.utc).date()


def rollup_id(portfolio_id, day):
    """`<portfolio hex>:<YYYY-MM-DD>`: a portfolio's days sort together, so a date range is an
    `_id` range on the primary index."""
    return f"{portfolio_id}:{day}"


def portfolio_rollups_filter(portfolio_id):
    # ";" sorts right after ":", so this range is exactly the portfolio's rollups.
    return {"_id": {"$gte": f"{portfolio_id}:", "$lt": f"{portfolio_id};"}}


def ensure_audience_collections(capped_bytes, db=None):
    """Create the capped `visits` collection if missing, and every index the workers need.

    Idempotent; an existing `visits` collection keeps its size (resizing a capped collection is a
    deliberate `collMod`, not a start-up side effect).
    """
    db = db if db is not None else mongo_db()
    try:
        db.create_collection(VISITS, capped=True, size=capped_bytes)
    except CollectionInvalid:
        pass  # already there
    db[VISITS].create_index([("portfolio", ASCENDING), ("at", DESCENDING)])
    # Workers claim the longest-waiting visit first; counted ones keep only their id, for a while.
    db[VISIT_OUTBOX].create_index("due_at", sparse=True)
    db[VISIT_OUTBOX].create_index("expires_at", expireAfterSeconds=0)
    db[ROLLUPS].create_index([("day", ASCENDING)])  # the daily digest reads one day of all
    db[VISITOR_KEYS].create_index("expires_at", expireAfterSeconds=0)
    db[VISITOR_KEYS].create_index("portfolio")
    db[VISITOR_SALTS].create_index("expires_at", expireAfterSeconds=0)


_READY_DATABASES = set()


def ensure_audience_collections_once(app):
    """The start-up check (again before a visit is stored, until it succeeds): one
    `listCollections` per database per process, never fatal."""
    key = app.config["MONGODB_URI"]
    if key in _READY_DATABASES or key.startswith("mongomock"):
        return
    try:
        db = mongo_db()
        # The outbox came after `visits`: a database that has only `visits` lacks its indexes.
        if len(db.list_collection_names(filter={"name": {"$in": [VISITS, VISIT_OUTBOX]}})) < 2:
            ensure_audience_collections(app.config["VISITS_CAPPED_BYTES"], db)
        _READY_DATABASES.add(key)
    except PyMongoError as exc:
        log.warning("Could not check the visits collection (%s); "
                    "run `flask create-visits-collection` once MongoDB is up", exc)


class Notification(Document):
    """An in-app message for a portfolio owner."""
    user = ObjectIdField(required=True)
    portfolio = ObjectIdField()
    kind = StringField(required=True, choices=(
        "recruiter_link_opened", "daily_digest", "recruiter_link_expiring"))
    message = StringField(required=True, max_length=500)
    data = DictField()
    read = BooleanField(default=False)
    read_at = DateTimeField()
    created_at = DateTimeField(default=utcnow)
    # Makes producing a notification idempotent: "link-opened:<link id>", "digest:<id>:<day>"...
    key = StringField()

    meta = {
        "collection": "notifications",
        "indexes": [
            ("user", "read", "-created_at"),
            "portfolio",
            {"fields": ["key"], "unique": True, "sparse": True},
        ],
    }
