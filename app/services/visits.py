"""Visits: what a page view records (in the request), and how a worker counts it.

In the request, `record_visit` decides whether a view counts at all (bots, link previews and the
owner do not), locates the address (GeoLite2, in memory) and reduces it to the day's visitor key,
then hands the visit, without the address, to the process's buffer (app/services/visit_buffer.py),
which writes it with the others of its batch to the `visit_outbox` collection (`hand_over`). From
then on the visit is counted exactly once whatever Redis and the workers do; the page never fails
because of it. If MongoDB does not take that write in time, the visits go to a worker through
Redis instead.

In the worker, `count_waiting_visits` (the task the requests schedule, at most one message per
second per process, and beat's sweep every minute) claims the waiting visits one at a time,
decides whether each counts (30-minute repeats, unique visitors) and writes that decision down
first, then logs the visit in the capped `visits` collection, adds it to the day's rollup and
leaves only its id in the outbox, for a day. Every step is idempotent on the visit id, so a visit
processed twice, or again after a worker died half-way through it, counts once.
"""
import functools
import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import geoip2.database
import geoip2.errors
import jwt as pyjwt
import pymongo
from bson import ObjectId
from flask import current_app, request
from flask_jwt_extended import decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from kombu.exceptions import KombuError
from pymongo import ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError
from pymongo.write_concern import WriteConcern
from redis.exceptions import RedisError

from ..extensions import mongo_db
from ..models.audience import (
    PUBLIC_SOURCE, ROLLUPS, VISIT_OUTBOX, VISITOR_KEYS, VISITOR_SALTS, VISITS,
    ensure_audience_collections_once, portfolio_rollups_filter, rollup_id,
)
from ..models.user import utcnow
from . import notifications, portfolios, visit_buffer
from .auth_sessions import is_session_active

log = logging.getLogger(__name__)

# One visit, handed to a worker through Redis when the request could not write it to MongoDB.
PROCESS_VISIT_TASK = "vitrine.process_visit"
# Count the visits waiting in the outbox.
COUNT_VISITS_TASK = "vitrine.count_visits"
# A request schedules the counting task at most this often per process, this long ahead: the
# task then finds every visit the process stored meanwhile (one Redis message per second, not
# one per view).
COUNT_DELAY_SECONDS = 1
# Acknowledged by the primary, not yet by a majority nor the journal: a quarter of a millisecond
# instead of one (measured, scripts/bench_visits.py). A mongod that crashes, or a primary lost
# before replicating, may lose the visits of its last ~100 ms; Redis and worker failures lose none.
OUTBOX_WRITE_CONCERN = WriteConcern(w=1)
# MongoDB's code for a duplicate key.
DUPLICATE_KEY = 11000
# A counted visit's id stays in the outbox this long (TTL), far longer than a task takes to be
# redelivered.
DONE_KEPT = timedelta(days=1)
REPEAT_WINDOW = timedelta(minutes=30)
# Visitor keys and salts outlive their day a little, for visits processed late (retries).
KEY_LIFETIME = timedelta(days=2)
# Visit ids a rollup holds at most. It holds a visit's id from the moment the visit is added to
# it until the outbox has let go of the visit (a handful at a time); this only bounds the
# document, should workers keep dying in between.
APPLIED_MEMORY = 500
# Distinct referrer hosts kept per rollup; the rest count as "other" (bounds the document size).
MAX_REFERRERS_PER_DAY = 50
OTHER_REFERRER = "other"
UNKNOWN_COUNTRY = "unknown"
# MongoDB update paths cannot contain "."; hostnames are ASCII (IDNA), so this cannot collide.
REFERRER_DOT = "\u2024"

# Crawlers, link-preview fetchers (Slack, WhatsApp, Discord...) and headless browsers
# (screenshot and prerender services). `(?<!cu)`: "CUBOT" is a phone maker, not a bot.
# curl, wget and HTTP libraries are counted: that is usually a person trying the link.
BOT_USER_AGENT = re.compile(
    r"(?<!cu)bot\b|crawl|spider|slurp|facebookexternalhit|facebookcatalog|whatsapp|"
    r"skypeuripreview|bingpreview|embedly|iframely|mastodon|vkshare|pinterest|bitlypreview|"
    r"\bgoogle-|feedfetcher|ia_archiver|headlesschrome|phantomjs|lighthouse|pingdom|uptime",
    re.IGNORECASE,
)
# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
USER_AGENT_FAMILIES = (
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|Chromium/")),
    ("Safari", re.compile(r"Safari/|AppleWebKit/")),
    ("curl", re.compile(r"^curl/")),
    ("Wget", re.compile(r"^Wget/")),
    ("HTTP library", re.compile(r"python|httpx|aiohttp|okhttp|Go-http-client|node-fetch|axios",
                                re.IGNORECASE)),
)


# --- in the request ----------------------------------------------------------------------------

def record_visit(portfolio, kind, *, link=None, proof_id=None):
    """Count this request as a view of `portfolio` ("page") or a download ("pdf", or "proof"
    with its `proof_id`), through the recruiter `link` if given. Called by the page, PDF and
    proof routes; never raises."""
    if not current_app.config["VISITS_ENABLED"]:
        return
    try:
        record = visit_record(portfolio, kind, link, proof_id)
        if record is not None:
            visit_buffer.buffer().add_visit(record)
    except Exception:  # recording a visit must never break the page being served
        log.exception("Visit of portfolio %s not recorded", portfolio.id)


def visit_record(portfolio, kind, link=None, proof_id=None, at=None):
    """What is kept of this view until a worker has counted it (at `at`, default now), or None
    when it is not counted at all. The address is located and keyed here, and not kept."""
    user_agent = request.headers.get("User-Agent", "")
    family = person_browser_family(user_agent)
    if family is None or viewed_by_owner(portfolio):
        return None
    if kind == "proof" and (not _opens_the_file() or _is_page_image(portfolio, proof_id)):
        return None
    at = at or utcnow()
    source = str(link.id) if link is not None else PUBLIC_SOURCE
    address = request.remote_addr or ""
    country, city = geolocate(address)
    do_not_track = request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1"
    return {
        "visit_id": str(ObjectId()),
        "portfolio_id": str(portfolio.id),
        "owner_id": str(reference_id(portfolio, "owner")),
        "kind": kind,
        "source": source,
        "channel": visit_channel(source, kind, proof_id),
        "at": at.isoformat(timespec="microseconds"),
        "user_agent_family": family,
        "referrer_host": referrer_host(request.referrer, request.host),
        "country": country,
        "city": city,
        "visitor_key": None if do_not_track else visitor_key(portfolio.id, address, family, at),
    }


def visit_channel(source, kind, proof_id=None):
    """What a repeat is recognised on: the same source and the same thing — the page, the PDF,
    or one proof file. A page view never hides the PDF downloaded just after it."""
    return "|".join(filter(None, (source, kind, str(proof_id) if proof_id else None)))


def _is_page_image(portfolio, proof_id):
    """The portfolio's photo and background image load with its page: not downloads."""
    photo = portfolio.profile.photo_proof_id if portfolio.profile else None
    background = (portfolio.theme or {}).get("background_image_proof_id")
    return proof_id is not None and str(proof_id) in {str(photo), str(background)}


def _opens_the_file():
    """A thumbnail is part of a page, and PDF viewers fetch a file in `Range` chunks: only a
    request from the start of the file itself is a view of the proof."""
    if request.args.get("thumbnail") == "1":
        return False
    requested = request.range
    return requested is None or requested.ranges[0][0] == 0


def reference_id(document, field):
    """The id a ReferenceField holds, without loading the referenced document (a
    publishing.PortfolioHead holds the id itself)."""
    data = getattr(document, "_data", None)
    value = data.get(field) if data is not None else getattr(document, field)
    return getattr(value, "id", value)


def viewed_by_owner(portfolio):
    """Is the request authenticated as the portfolio's owner?

    The owner is recognised by a valid access token: the web app's session cookie (sent with
    every page of the site), or `Authorization: Bearer ...` from other clients.
    """
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else \
        request.cookies.get(current_app.config["JWT_ACCESS_COOKIE_NAME"])
    if not token:
        return False
    try:
        claims = decode_token(token)
    except (pyjwt.PyJWTError, JWTExtendedException):
        return False
    return (claims.get("type") == "access"
            and claims.get("sub") == str(reference_id(portfolio, "owner"))
            and is_session_active(claims.get("sid")))


@functools.lru_cache(maxsize=1024)
def person_browser_family(user_agent):
    """The browser family of a person's `user_agent`; None for no user agent at all (a script:
    curl and libraries do send one) and for bots. Cached: a site's visitors send few distinct
    user agents, and matching one against the patterns takes 20 µs."""
    if not user_agent or BOT_USER_AGENT.search(user_agent):
        return None
    return user_agent_family(user_agent)


def user_agent_family(user_agent):
    for family, pattern in USER_AGENT_FAMILIES:
        if pattern.search(user_agent):
            return family
    return "Other"


def referrer_host(referrer, own_host):
    """The referring site's host name; None for direct visits and for links within Vitrine."""
    if not referrer:
        return None
    try:
        host = (urlsplit(referrer).hostname or "")[:253]
    except ValueError:
        return None
    if not host or host == own_host.split(":")[0].lower():
        return None
    return host if re.fullmatch(r"[a-z0-9.-]+", host) else None


_geoip_lock = threading.Lock()
_geoip_readers = {}


def geoip_reader():
    """One reader per worker process (memory-mapped), opened at first use."""
    path = current_app.config["GEOIP_DB_PATH"] or _packaged_geolite2_path()
    with _geoip_lock:
        if path not in _geoip_readers:
            _geoip_readers[path] = geoip2.database.Reader(path)
        return _geoip_readers[path]


def _packaged_geolite2_path():
    from _maxminddb_geolite2 import geolite2_database  # the maxminddb-geolite2 package
    return geolite2_database()


def geolocate(ip):
    """`(ISO country code, city name)`, each None when the address is not in the database."""
    try:
        found = geoip_reader().city(ip)
    except (ValueError, geoip2.errors.AddressNotFoundError):
        return None, None
    return found.country.iso_code, found.city.name


_salts = {}


def daily_salt(day):
    """A random salt per UTC day, shared by every worker through MongoDB and deleted two days
    later: once it is gone, nobody (not even with SECRET_KEY) can link a key back to an address."""
    if day not in _salts:
        expires_at = datetime.combine(day, datetime.min.time()) + KEY_LIFETIME
        document = mongo_db()[VISITOR_SALTS].find_one_and_update(
            {"_id": day.isoformat()},
            {"$setOnInsert": {"salt": secrets.token_hex(32), "expires_at": expires_at}},
            upsert=True, return_document=ReturnDocument.AFTER)
        _salts.clear()  # only today's (and perhaps yesterday's, for late visits) is ever needed
        _salts[day] = document["salt"]
    return _salts[day]


def visitor_key(portfolio_id, address, family, at):
    """A keyed hash of (day's salt, portfolio, address, browser family): the same visitor on the
    same portfolio on the same day, and nothing more."""
    message = "|".join((daily_salt(at.date()), str(portfolio_id), address, family))
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()[:32]


def hand_over(records):
    """Store the visits for a worker to count (this process's buffer calls this after the
    responses, app/services/visit_buffer.py). Without a broker, count them here."""
    celery = current_app.extensions["celery"]
    if celery.conf.task_always_eager:
        for record in records:
            try:
                process_visit(record)
            except Exception:
                log.exception("Visit %s not counted", record["visit_id"])
        return
    try:
        with pymongo.timeout(visit_buffer.STORE_TIMEOUT_SECONDS):
            store_visits(records)
    except PyMongoError as exc:
        # The write may still land later: the task then finds the visit stored, and counts it
        # once all the same. No publish retries: nobody must wait for a broker that is down.
        log.warning("MongoDB did not take %d visits (%s): handed to a worker through Redis",
                    len(records), _first_error(exc))
        for record in records:
            try:
                celery.send_task(PROCESS_VISIT_TASK, args=(record,), retry=False)
            except (KombuError, RedisError, OSError):
                log.exception("Visit %s lost: neither MongoDB nor Redis took it",
                              record["visit_id"])
        return
    _schedule_counting(celery)


def _schedule_counting(celery):
    """Have a worker count the waiting visits in COUNT_DELAY_SECONDS, unless this process did so
    less than that ago: that task runs after this visit was stored, and counts it. If Redis is
    down, the visit waits in the outbox for the next task that runs (beat's sweep, a later
    request's, or `flask count-visits`)."""
    schedule = current_app.extensions.setdefault("visit_counting", {"next_at": 0.0})
    now = time.monotonic()
    if now < schedule["next_at"]:
        return
    schedule["next_at"] = now + COUNT_DELAY_SECONDS  # a broker that is down is tried again then
    try:
        celery.send_task(COUNT_VISITS_TASK, countdown=COUNT_DELAY_SECONDS, retry=False)
    except (KombuError, RedisError, OSError) as exc:
        log.warning("Celery broker unreachable (%s): visits wait in the outbox", exc)


# --- the outbox --------------------------------------------------------------------------------

def _first_error(exc):
    """What went wrong, in a line: a batch's error lists every visit it holds."""
    errors = exc.details.get("writeErrors") if isinstance(exc, BulkWriteError) else None
    return errors[0]["errmsg"] if errors else exc


def store_visits(records):
    """Put the visits in the outbox, those that are not there already (or counted: their id
    stays), in one write."""
    outbox = mongo_db().get_collection(VISIT_OUTBOX, write_concern=OUTBOX_WRITE_CONCERN)
    now = utcnow()
    try:
        outbox.insert_many([{"_id": ObjectId(record["visit_id"]), **record, "due_at": now}
                            for record in records], ordered=False)
    except BulkWriteError as exc:
        if any(error["code"] != DUPLICATE_KEY for error in exc.details["writeErrors"]) \
                or exc.details.get("writeConcernErrors"):
            raise


def process_visit(record):
    """Store and count one visit at once: without a broker, and in the task the request hands a
    visit to when MongoDB did not take it. Returns whether it counted; None when it was counted
    already or another worker holds it (which then counts it)."""
    record = _record_of_queued_payload(record)
    store_visits([record])
    return count_visit(record["visit_id"])


def _record_of_queued_payload(payload):
    """Tasks queued before visits were located in the request carry the address instead: locate
    and key it now, and drop it."""
    if "ip" not in payload:
        return payload
    record = {name: value for name, value in payload.items()
              if name not in ("ip", "do_not_track")}
    at = datetime.fromisoformat(payload["at"])
    record["country"], record["city"] = geolocate(payload["ip"])
    record["visitor_key"] = None if payload["do_not_track"] else visitor_key(
        payload["portfolio_id"], payload["ip"], payload["user_agent_family"], at)
    return record


def count_visit(visit_id):
    """Count this waiting visit, unless another worker holds it or it was counted already."""
    visit = _claim({"_id": ObjectId(visit_id)})
    return None if visit is None else _count(visit)


def count_waiting_visits(limit=None):
    """Count the visits waiting in the outbox, the longest-waiting first, `limit` at most; those
    another worker holds are left to it (or, if it died, taken once its claim lapses). Returns
    how many were processed."""
    processed = 0
    while limit is None or processed < limit:
        visit = _claim({})
        if visit is None:
            break
        _count(visit)
        processed += 1
    return processed


def _claim(condition):
    """The waiting visit matching `condition`, now this worker's for VISIT_CLAIM_SECONDS: its
    `due_at` moves that far ahead, so no other worker takes it meanwhile; None if there is none.
    A worker that dies leaves its claim to lapse, and the visit is taken again."""
    now = utcnow()
    claim = timedelta(seconds=current_app.config["VISIT_CLAIM_SECONDS"])
    return mongo_db()[VISIT_OUTBOX].find_one_and_update(
        {**condition, "due_at": {"$lte": now}}, {"$set": {"due_at": now + claim}},
        sort=[("due_at", pymongo.ASCENDING)], return_document=ReturnDocument.AFTER)


def _count(visit):
    """Decide, log, roll up and notify, then mark the visit done. Each step may run again (the
    worker died after it): it then changes nothing. Returns whether the visit counted."""
    at = datetime.fromisoformat(visit["at"])
    counted, unique = _decision(visit, at)
    _log(visit, at, counted)
    if counted:
        if utcnow() >= visit["due_at"]:
            # So slow that the claim lapsed: another worker may be counting the visit right now.
            log.warning("Claim on visit %s lapsed before its rollup: left to the next run",
                        visit["visit_id"])
            return None
        _roll_up(visit, at, unique)
        notifications.on_counted_visit(visit, at)
    db = mongo_db()
    # What is left: the id, which nobody claims, and which refuses the visit if it comes again
    # (its task redelivered, or the request's own write landing after the task's).
    db[VISIT_OUTBOX].replace_one({"_id": visit["_id"]}, {"expires_at": utcnow() + DONE_KEPT})
    if counted:
        # Only now may the rollup forget the visit: until the outbox let go of it, it could be
        # processed again, and the rollup's memory of it is what stops a second count.
        db[ROLLUPS].update_one({"_id": rollup_id(visit["portfolio_id"], at.date().isoformat())},
                               {"$pull": {"applied": visit["_id"]}})
    return counted


def _decision(visit, at):
    """`(counted, unique)`, decided once and written in the outbox before anything is counted, so
    that a second run follows the first one's decision."""
    if "counted" in visit:
        return visit["counted"], visit["unique"]
    counted, unique = _count_decision(visit, at)
    mongo_db()[VISIT_OUTBOX].update_one({"_id": visit["_id"]},
                                        {"$set": {"counted": counted, "unique": unique}})
    return counted, unique


def _log(visit, at, counted):
    """The raw visit, in the capped `visits` collection."""
    # If this process's start-up check failed (MongoDB down), inserting would create `visits`
    # as an ordinary collection that never rolls over: check again first (once per process).
    ensure_audience_collections_once(current_app)
    try:
        mongo_db()[VISITS].insert_one({
            "_id": visit["_id"],
            "portfolio": ObjectId(visit["portfolio_id"]),
            "kind": visit["kind"],
            "source": visit["source"],
            "at": at,
            "referrer_host": visit["referrer_host"],
            "user_agent_family": visit["user_agent_family"],
            "country": visit["country"],
            "city": visit["city"],
            "visitor_key": visit["visitor_key"],
            "counted": counted,
        })
    except DuplicateKeyError:
        pass  # logged by an earlier run


# --- counting ----------------------------------------------------------------------------------

def _count_decision(visit, at):
    """`(counted, unique)`. A visitor's first view of the day is unique; a view within 30 minutes
    of the visitor's last counted one *through the same channel* (`visit_channel`: source and
    kind) is a repeat — a recruiter opening their link is counted even just after reading the
    public page, and a PDF downloaded just after the page is counted as a download, or the owner
    would never learn of either. Without a key (DNT), always counted, never unique. A second run
    for the same visit reaches the same decision: the key remembers the visits it counted."""
    key = visit["visitor_key"]
    if key is None:
        return True, False
    collection = mongo_db()[VISITOR_KEYS]
    # Tasks queued before channels existed carry only their source.
    visit_id, channel = visit["visit_id"], visit.get("channel", visit["source"])
    last_counted = f"last_counted_at.{channel}"
    try:
        collection.insert_one({"_id": key, "portfolio": ObjectId(visit["portfolio_id"]),
                               "first_visit": visit_id, "counted_visits": [visit_id],
                               "last_counted_at": {channel: at}, "expires_at": at + KEY_LIFETIME})
        return True, True
    except DuplicateKeyError:
        pass
    # At most one counted visit per channel per half hour, over the key's one day: a short list.
    before = collection.find_one_and_update(
        {"_id": key, "$or": [{last_counted: {"$not": {"$gt": at - REPEAT_WINDOW}}},
                             {"counted_visits": visit_id}]},
        {"$max": {last_counted: at}, "$addToSet": {"counted_visits": visit_id}})
    if before is None:
        return False, False
    return True, before["first_visit"] == visit_id


def _roll_up(visit, at, unique):
    """Add the visit to its portfolio's rollup of the day, once: the update only matches while
    the rollup does not hold this visit id, which it keeps until the outbox let go of the visit
    (`_count`)."""
    collection = mongo_db()[ROLLUPS]
    document_id = rollup_id(visit["portfolio_id"], at.date().isoformat())
    visit_id = ObjectId(visit["visit_id"])
    source = visit["source"]
    # A page is viewed; a PDF or a proof file is downloaded. `sources` counts both, and
    # `source_downloads` the downloads of each source, so a recruiter link's views are apart.
    country = visit["country"] or UNKNOWN_COUNTRY
    increments = {"unique_visitors": int(unique), f"countries.{country}": 1,
                  f"sources.{source}": 1, f"kinds.{visit['kind']}": 1}
    if visit["kind"] == "page":
        increments["views"] = 1
    else:
        increments.update({"downloads": 1, f"source_downloads.{source}": 1})
    if visit["referrer_host"]:
        increments[f"referrers.{_referrer_key(collection, document_id, visit)}"] = 1
    update = {
        "$setOnInsert": {"portfolio": ObjectId(visit["portfolio_id"]),
                         "day": at.date().isoformat()},
        "$inc": increments,
        "$push": {"applied": {"$each": [visit_id], "$slice": -APPLIED_MEMORY}},
    }
    if source != PUBLIC_SOURCE:
        update["$min"] = {f"link_first_access.{source}": at}
        update["$max"] = {f"link_last_access.{source}": at}
    for _attempt in range(2):
        try:
            collection.update_one({"_id": document_id, "applied": {"$ne": visit_id}},
                                  update, upsert=True)
            return True
        except DuplicateKeyError:
            # Either this visit is already applied (the filter missed an existing rollup), or
            # another worker created the day's rollup at the same moment: then try again.
            if collection.count_documents({"_id": document_id, "applied": visit_id}):
                return False
    return False


def _referrer_key(collection, document_id, visit):
    key = visit["referrer_host"].replace(".", REFERRER_DOT)
    known = (collection.find_one({"_id": document_id}, {"referrers": 1}) or {}).get("referrers", {})
    return key if key in known or len(known) < MAX_REFERRERS_PER_DAY else OTHER_REFERRER


def referrer_from_key(key):
    return key.replace(REFERRER_DOT, ".")


# --- deletion ----------------------------------------------------------------------------------

def delete_portfolio_audience(portfolio):
    """A deleted portfolio's waiting and raw visits, rollups and visitor keys go with it
    (removing documents from a capped collection is allowed since MongoDB 5.0)."""
    db = mongo_db()
    db[VISIT_OUTBOX].delete_many({"portfolio_id": str(portfolio.id)})
    db[ROLLUPS].delete_many(portfolio_rollups_filter(portfolio.id))
    db[VISITOR_KEYS].delete_many({"portfolio": portfolio.id})
    db[VISITS].delete_many({"portfolio": portfolio.id})


portfolios.DELETE_HOOKS.append(delete_portfolio_audience)
