"""Visits: what a page view hands over (in the request), and what the worker makes of it.

In the request, `record_visit` decides whether a view counts at all (bots, link previews and the
owner do not), gathers plain data and hands it to a Celery task; it never fails the page and never
waits for geolocation. In the worker, `process_visit` geolocates the address, reduces it to a
daily-rotating visitor key, stores the raw visit in the capped log and updates the daily rollup.
Every step of `process_visit` is idempotent on the visit id, so a retried or redelivered task
counts once.
"""
import hashlib
import hmac
import logging
import re
import secrets
import threading
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import geoip2.database
import geoip2.errors
import jwt as pyjwt
from bson import ObjectId
from flask import current_app, request
from flask_jwt_extended import decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from kombu.exceptions import KombuError
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError
from redis.exceptions import RedisError

from ..extensions import mongo_db
from ..models.audience import (
    PUBLIC_SOURCE, ROLLUPS, VISITOR_KEYS, VISITOR_SALTS, VISITS, ensure_audience_collections_once,
    portfolio_rollups_filter, rollup_id,
)
from ..models.user import utcnow
from . import notifications, portfolios
from .auth_sessions import is_session_active

log = logging.getLogger(__name__)

PROCESS_VISIT_TASK = "vitrine.process_visit"
REPEAT_WINDOW = timedelta(minutes=30)
# Visitor keys and salts outlive their day a little, for visits processed late (retries).
KEY_LIFETIME = timedelta(days=2)
# How many recent visit ids a rollup remembers, to refuse applying one twice. Retries come within
# minutes; this is hundreds of visits to the same portfolio on the same day.
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
        payload = visit_payload(portfolio, kind, link, proof_id)
        if payload is not None:
            _hand_over(payload)
    except Exception:  # recording a visit must never break the page being served
        log.exception("Visit of portfolio %s not recorded", portfolio.id)


def visit_payload(portfolio, kind, link=None, proof_id=None):
    """The plain data the task needs, or None when this view is not counted."""
    user_agent = request.headers.get("User-Agent", "")
    # No user agent at all is a script, not a browser (curl and libraries do send one).
    if not user_agent or BOT_USER_AGENT.search(user_agent) or viewed_by_owner(portfolio):
        return None
    if kind == "proof" and (not _opens_the_file() or _is_page_image(portfolio, proof_id)):
        return None
    source = str(link.id) if link is not None else PUBLIC_SOURCE
    return {
        "visit_id": str(ObjectId()),
        "portfolio_id": str(portfolio.id),
        "owner_id": str(reference_id(portfolio, "owner")),
        "kind": kind,
        "source": source,
        "channel": visit_channel(source, kind, proof_id),
        "at": utcnow().isoformat(timespec="microseconds"),
        "ip": request.remote_addr or "",
        "user_agent_family": user_agent_family(user_agent),
        "referrer_host": referrer_host(request.referrer, request.host),
        "do_not_track": request.headers.get("DNT") == "1"
        or request.headers.get("Sec-GPC") == "1",
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
    """The id a ReferenceField holds, without loading the referenced document."""
    value = document._data.get(field)
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


def _hand_over(payload):
    """Queue the visit for a worker; without a broker, record it here (best-effort)."""
    celery = current_app.extensions["celery"]
    if celery.conf.task_always_eager:
        process_visit(payload)
        return
    try:
        # No publish retries: a page must not wait for a broker that is down.
        celery.send_task(PROCESS_VISIT_TASK, args=(payload,), retry=False)
    except (KombuError, RedisError, OSError) as exc:
        log.warning("Celery broker unreachable (%s): visit %s recorded synchronously",
                    exc, payload["visit_id"])
        process_visit(payload)


# --- in the worker -----------------------------------------------------------------------------

def process_visit(payload):
    """Geolocate, key, store and count one visit. Safe to run twice with the same payload."""
    # If this process's start-up check failed (MongoDB down), inserting would create `visits`
    # as an ordinary collection that never rolls over: check again first (once per process).
    ensure_audience_collections_once(current_app)
    at = datetime.fromisoformat(payload["at"])
    country, city = geolocate(payload["ip"])
    key = None if payload["do_not_track"] else visitor_key(payload, at)
    counted, unique = _count_decision(key, payload, at)
    db = mongo_db()
    try:
        db[VISITS].insert_one({
            "_id": ObjectId(payload["visit_id"]),
            "portfolio": ObjectId(payload["portfolio_id"]),
            "kind": payload["kind"],
            "source": payload["source"],
            "at": at,
            "referrer_host": payload["referrer_host"],
            "user_agent_family": payload["user_agent_family"],
            "country": country,
            "city": city,
            "visitor_key": key,
            "counted": counted,
        })
    except DuplicateKeyError:
        pass  # stored by an earlier attempt of this task
    if counted:
        _roll_up(payload, at, country, unique)
        notifications.on_counted_visit(payload, at)
    return counted


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


def visitor_key(payload, at):
    """A keyed hash of (day's salt, portfolio, address, browser family): the same visitor on the
    same portfolio on the same day, and nothing more."""
    message = "|".join((daily_salt(at.date()), payload["portfolio_id"], payload["ip"],
                        payload["user_agent_family"]))
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()[:32]


def _count_decision(key, payload, at):
    """`(counted, unique)`. A visitor's first view of the day is unique; a view within 30 minutes
    of the visitor's last counted one *through the same channel* (`visit_channel`: source and
    kind) is a repeat — a recruiter opening their link is counted even just after reading the
    public page, and a PDF downloaded just after the page is counted as a download, or the owner
    would never learn of either. Without a key (DNT), always counted, never unique. A retry of
    the same visit reaches the same decision (the key remembers visit ids per channel)."""
    if key is None:
        return True, False
    collection = mongo_db()[VISITOR_KEYS]
    # Tasks queued before channels existed carry only their source.
    visit_id, channel = payload["visit_id"], payload.get("channel", payload["source"])
    last_counted, last_visit = f"last_counted_at.{channel}", f"last_visit.{channel}"
    try:
        collection.insert_one({"_id": key, "portfolio": ObjectId(payload["portfolio_id"]),
                               "first_visit": visit_id, "last_visit": {channel: visit_id},
                               "last_counted_at": {channel: at}, "expires_at": at + KEY_LIFETIME})
        return True, True
    except DuplicateKeyError:
        pass
    before = collection.find_one_and_update(
        {"_id": key, "$or": [{last_counted: {"$not": {"$gt": at - REPEAT_WINDOW}}},
                             {last_visit: visit_id}]},
        {"$set": {last_counted: at, last_visit: visit_id}})
    if before is None:
        return False, False
    return True, before["first_visit"] == visit_id


def _roll_up(payload, at, country, unique):
    """Add the visit to its portfolio's rollup of the day, once: the update only matches while
    the rollup has not yet applied this visit id."""
    collection = mongo_db()[ROLLUPS]
    document_id = rollup_id(payload["portfolio_id"], at.date().isoformat())
    visit_id = ObjectId(payload["visit_id"])
    source = payload["source"]
    # A page is viewed; a PDF or a proof file is downloaded. `sources` counts both, and
    # `source_downloads` the downloads of each source, so a recruiter link's views are apart.
    increments = {"unique_visitors": int(unique), f"countries.{country or UNKNOWN_COUNTRY}": 1,
                  f"sources.{source}": 1, f"kinds.{payload['kind']}": 1}
    if payload["kind"] == "page":
        increments["views"] = 1
    else:
        increments.update({"downloads": 1, f"source_downloads.{source}": 1})
    if payload["referrer_host"]:
        increments[f"referrers.{_referrer_key(collection, document_id, payload)}"] = 1
    update = {
        "$setOnInsert": {"portfolio": ObjectId(payload["portfolio_id"]),
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


def _referrer_key(collection, document_id, payload):
    key = payload["referrer_host"].replace(".", REFERRER_DOT)
    known = (collection.find_one({"_id": document_id}, {"referrers": 1}) or {}).get("referrers", {})
    return key if key in known or len(known) < MAX_REFERRERS_PER_DAY else OTHER_REFERRER


def referrer_from_key(key):
    return key.replace(REFERRER_DOT, ".")


# --- deletion ----------------------------------------------------------------------------------

def delete_portfolio_audience(portfolio):
    """A deleted portfolio's raw visits, rollups and visitor keys go with it (removing documents
    from a capped collection is allowed since MongoDB 5.0)."""
    db = mongo_db()
    db[ROLLUPS].delete_many(portfolio_rollups_filter(portfolio.id))
    db[VISITOR_KEYS].delete_many({"portfolio": portfolio.id})
    db[VISITS].delete_many({"portfolio": portfolio.id})


portfolios.DELETE_HOOKS.append(delete_portfolio_audience)
