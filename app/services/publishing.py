"""Publishing rules: which portfolio a visitor or a recruiter reaches, and on what terms.

Used by the HTML pages (app/web/public.py), the JSON API (app/api/public.py) and the proof file
routes of the proofs area; every function works from any blueprint.

- `resolve_public(slug)`: the portfolio behind /p/<slug>, a 301 for a recently changed slug,
  404 for an unknown or private one.
- `is_unlocked` / `unlock` / `set_unlock_cookie`: password-protected portfolios.
- `create_link` / `resolve_recruiter` / `revoke_link` / `list_links`: recruiter links.
"""
import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import timedelta

from flask import current_app, request, url_for
from flask_smorest import abort
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from werkzeug.routing import RequestRedirect

from ..extensions import mongo_db
from ..models import RecruiterLink
from ..models.portfolio import Portfolio
from ..models.user import utcnow
from . import portfolios, visit_buffer
from .passwords import verify_password

DEFAULT_LINK_DAYS = 14
MAX_LINK_DAYS = 365
UNLOCK_COOKIE = "vitrine_unlock"
# Recruiter outputs (and unlocked password-protected pages) are for one reader: never indexed,
# never kept by a shared cache, and their address (a recruiter token) is never sent as the
# Referer of a link followed from them.
PRIVATE_PAGE_HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "private, no-store",
                        "Referrer-Policy": "no-referrer"}
LINK_GONE = ("This recruiter link has expired or was revoked. Ask the portfolio's owner for a "
             "new one.")
NO_SUCH_LINK = "This link does not exist."
_UNLOCK_SALT = "vitrine.portfolio-unlock"
_FILE_KEY_SALT = "vitrine.recruiter-proof-file"


# --- public portfolios ---------------------------------------------------------------------------

class SlugMoved(RequestRedirect):
    """301 to the same route with the portfolio's current slug.

    Raised by `resolve_public` for an old slug; Flask answers it like its own routing redirects
    (before any error handler), rebuilding the URL from the current endpoint and its arguments,
    so /p/old.pdf goes to /p/new.pdf and /api/v1/public/old to /api/v1/public/new.
    """
    code = 301

    def __init__(self, slug):
        super().__init__(new_url=None)
        self.slug = slug

    def get_response(self, environ=None, scope=None):
        # The query string is carried over as it is, never as url_for arguments: `?slug=` or
        # `?_method=` would break the build (500) and `?_anchor=` would add a fragment.
        query = request.query_string.decode("latin-1")
        self.new_url = url_for(request.endpoint, **{**request.view_args, "slug": self.slug}) \
            + (f"?{query}" if query else "")
        return super().get_response(environ, scope)


def resolve_public(slug, fields=None):
    """The portfolio a public request for `slug` shows (only its `fields`, as a
    `PortfolioHead`, when given).

    Raises `SlugMoved` (a 301) when `slug` was given up less than SLUG_REDIRECT_DAYS ago, and
    aborts 404 for an unknown slug or a private portfolio (private is 404 to the public in every
    output; its owner uses the editor API and export.pdf). A password does not stop this
    function: callers check `is_unlocked`.
    """
    portfolio = _first({"slug": slug}, fields)
    if portfolio is None:
        recent = utcnow() - timedelta(days=portfolios.SLUG_REDIRECT_DAYS)
        portfolio = _first({"previous_slugs": {"$elemMatch": {
            "slug": slug, "changed_at": {"$gte": recent}}}}, fields)
        if portfolio is not None and not portfolio.is_private:
            raise SlugMoved(portfolio.slug)
    if portfolio is None or portfolio.is_private:
        abort(404, message="Portfolio not found.")
    return portfolio


class Head:
    """Some fields of a stored document, read with raw pymongo: what a cached page needs to be
    served (the access rules, the visit, the cache key) without MongoEngine building a document
    (~1 ms for a 32-item portfolio, 0.1 ms for a recruiter link; issue 16). Read-only; a field
    the stored document lacks is the model's default, a field that was not read an
    AttributeError. References stay ids and embedded documents stay dicts."""
    document = None  # the MongoEngine class whose documents this reads

    def __init__(self, raw, fields):
        self._raw = raw
        self._fields = frozenset(fields)

    @property
    def id(self):
        return self._raw["_id"]

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._fields:
            raise AttributeError(f"{name} was not read: {type(self).__name__} holds "
                                 f"{sorted(self._fields)}")
        if name in self._raw:
            return self._raw[name]
        default = self.document._fields[name].default
        return default() if callable(default) else default


class PortfolioHead(Head):
    document = Portfolio


class LinkHead(Head):
    """A whole recruiter link, as read with its portfolio's head."""
    document = RecruiterLink


def _first(query, fields):
    """The portfolio matching `query`: a whole document, or only `fields` as a `PortfolioHead`."""
    raw = Portfolio._get_collection().find_one(query, dict.fromkeys(fields, 1) if fields else None)
    return None if raw is None else _as_portfolio(raw, fields)


def _as_portfolio(raw, fields):
    return PortfolioHead(raw, fields) if fields else Portfolio._from_son(raw)


# --- password-protected portfolios ---------------------------------------------------------------

def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_UNLOCK_SALT)


def _unlock_grant(portfolio):
    """What an unlock cookie carries: an opaque keyed digest of the portfolio and the moment its
    password last changed (set, changed or removed: older unlocks stop counting). Neither the id
    nor the date can be read from it."""
    changed = portfolio.password_changed_at
    message = f"{portfolio.id}|{changed.isoformat() if changed else ''}"
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message.encode(),
                    hashlib.sha256).hexdigest()


def is_unlocked(portfolio, req=None):
    """Whether `req` (default: the current request) may see this portfolio's public view.

    True without a password; otherwise the request must carry a valid unlock cookie (see
    `set_unlock_cookie`) issued for this portfolio since its password last changed.
    """
    if not portfolio.password_hash:
        return True
    cookie = (req or request).cookies.get(UNLOCK_COOKIE)
    if not cookie:
        return False
    max_age = current_app.config["PORTFOLIO_UNLOCK_HOURS"] * 3600
    try:
        grant = _serializer().loads(cookie, max_age=max_age)
    except BadSignature:  # also SignatureExpired
        return False
    return isinstance(grant, str) and hmac.compare_digest(grant, _unlock_grant(portfolio))


def unlock(portfolio, password):
    """Whether `password` opens this portfolio (argon2 check; False when it has no password)."""
    return bool(portfolio.password_hash) and verify_password(portfolio.password_hash, password)


def unlock_cookie_paths(portfolio):
    """Where the browser sends the unlock cookie: the page (with its proof files), the PDF and
    the JSON view, each scoped to this slug only."""
    slug = portfolio.slug
    return (f"/p/{slug}", f"/p/{slug}.pdf", f"/api/v1/public/{slug}")


def set_unlock_cookie(response, portfolio):
    """Attach the signed, HttpOnly, SameSite=Lax unlock cookie for this portfolio."""
    value = _serializer().dumps(_unlock_grant(portfolio))
    for path in unlock_cookie_paths(portfolio):
        response.set_cookie(UNLOCK_COOKIE, value, path=path, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"],
                            max_age=current_app.config["PORTFOLIO_UNLOCK_HOURS"] * 3600)
    return response


# --- recruiter links -----------------------------------------------------------------------------

def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def link_expiry(expires_in_days=None, expires_at=None):
    """When a new link expires: `expires_in_days` (default 14, at most 365) or `expires_at`
    (future, within 365 days); both at once is a 422."""
    now = utcnow()
    if expires_in_days is not None and expires_at is not None:
        abort(422, message="Give either expires_in_days or expires_at, not both.",
              errors={"expires_at": ["Not together with expires_in_days."]})
    if expires_at is None:
        days = DEFAULT_LINK_DAYS if expires_in_days is None else expires_in_days
        if not 1 <= days <= MAX_LINK_DAYS:
            abort(422, message=f"expires_in_days must be between 1 and {MAX_LINK_DAYS}.",
                  errors={"expires_in_days": [f"Must be between 1 and {MAX_LINK_DAYS}."]})
        return now + timedelta(days=days)
    if expires_at <= now:
        abort(422, message="expires_at must be in the future.",
              errors={"expires_at": ["Must be in the future."]})
    if expires_at > now + timedelta(days=MAX_LINK_DAYS):
        abort(422, message=f"A link lasts at most {MAX_LINK_DAYS} days.",
              errors={"expires_at": [f"At most {MAX_LINK_DAYS} days ahead."]})
    return expires_at


def create_link(portfolio, label, expires_in_days=None, expires_at=None):
    """A new link to `portfolio`; returns `(link, token)`. The token exists only in this return
    value: the database keeps its hash."""
    token = secrets.token_urlsafe(32)  # 256 bits
    link = RecruiterLink(portfolio=portfolio.id, owner=portfolio.owner.id, label=label,
                         token_hash=hash_token(token),
                         expires_at=link_expiry(expires_in_days, expires_at)).save()
    _grant_access(link)
    return link, token


def _grant_access(link):
    """The link's key in its portfolio (`RecruiterAccess`), its pages then one read; expired keys
    leave in the same update. Until this lands the link works all the same, through the link's
    own document (`_active_link_with_portfolio`).

    The link is listed (and can be revoked) from its save on: a revocation that came before the
    key took nothing away, so the key goes again if the link is revoked by now. In any other
    order the revocation's own transaction removes the key."""
    now = utcnow()
    entry = {"token_hash": link.token_hash, "link": link.id, "expires_at": link.expires_at}
    Portfolio._get_collection().update_one({"_id": link.portfolio}, [{"$set": {
        "recruiter_access": {"$concatArrays": [
            {"$filter": {"input": {"$ifNull": ["$recruiter_access", []]}, "as": "access",
                         "cond": {"$gt": ["$$access.expires_at", now]}}},
            [{"$literal": entry}]]}}}])
    if RecruiterLink.objects(id=link.id, revoked_at__ne=None).count():
        _withdraw_keys(link.portfolio, {"link": link.id})


def _withdraw_keys(portfolio_id, which, session=None):
    """Remove the keys matching `which` (all of them: None) from the portfolio."""
    update = {"$pull": {"recruiter_access": which}} if which else \
        {"$unset": {"recruiter_access": ""}}
    Portfolio._get_collection().update_one({"_id": portfolio_id}, update, session=session)


def resolve_recruiter(token, count_access=True, fields=None):
    """`(portfolio, link)` for a recruiter token: 404 unknown, 410 expired or revoked (only the
    portfolio's `fields`, as a `PortfolioHead`, and the link as a `LinkHead`, when given).

    A private or password-protected portfolio is still shown: the link is the permission.
    `count_access` (the page, its PDF, the JSON view) counts the opening in `access_count`,
    `first_access_at` and `last_access_at`, written with this process's next batch
    (app/services/visit_buffer.py); proof file downloads pass False. Only an opening of a link
    found active is counted: a revoked link's are refused, not counted.
    """
    token_hash = hash_token(token or "")
    now = utcnow()
    found = fields and _portfolio_by_access(token_hash, now, fields)
    portfolio, link = found or _portfolio_by_link(token_hash, now, fields)
    if count_access:
        visit_buffer.buffer().add_opening(str(link.id), now)
    return portfolio, link


def _portfolio_by_link(token_hash, now, fields):
    """`(portfolio, link)` as the link's own document decides: 404 unknown, 410 inactive."""
    raw = _active_link_with_portfolio(token_hash, now, fields)
    if raw is None or not hmac.compare_digest(raw["token_hash"], token_hash):
        if RecruiterLink.objects(token_hash=token_hash).count():
            abort(410, message=LINK_GONE)
        abort(404, message=NO_SUCH_LINK)
    portfolios = raw.pop("portfolios")
    if not portfolios:
        abort(404, message=NO_SUCH_LINK)
    link = LinkHead(raw, RecruiterLink._fields) if fields else RecruiterLink._from_son(raw)
    return _as_portfolio(portfolios[0], fields), link


# What a LinkHead read through the portfolio's RecruiterAccess holds.
ACCESS_LINK_FIELDS = ("token_hash", "expires_at", "portfolio")


def _portfolio_by_access(token_hash, now, fields):
    """`(PortfolioHead, LinkHead)` of the unexpired key `token_hash` in a portfolio, in one
    read; None when no portfolio holds it (a link revoked, expired, unknown, or made before
    keys were kept: the link's own document then decides)."""
    raw = Portfolio._get_collection().find_one(
        {"recruiter_access": {"$elemMatch": {"token_hash": token_hash, "expires_at": {"$gt": now}}}},
        {**dict.fromkeys(fields, 1), "recruiter_access.$": 1})
    if raw is None:
        return None
    [access] = raw.pop("recruiter_access")
    link = LinkHead({"_id": access["link"], "token_hash": access["token_hash"],
                     "expires_at": access["expires_at"], "portfolio": raw["_id"]},
                    ACCESS_LINK_FIELDS)
    return PortfolioHead(raw, fields), link


def _active_link_with_portfolio(token_hash, now, fields):
    """The active link of `token_hash` with its portfolio (`portfolios`: a list of one, only
    `fields` when given), in one round trip; None when no such link is active."""
    lookup = {"from": Portfolio._get_collection_name(), "localField": "portfolio",
              "foreignField": "_id", "as": "portfolios"}
    if fields:
        lookup["pipeline"] = [{"$project": dict.fromkeys(fields, 1)}]
    return next(RecruiterLink._get_collection().aggregate([
        {"$match": {"token_hash": token_hash, "revoked_at": None, "expires_at": {"$gt": now}}},
        {"$limit": 1}, {"$lookup": lookup}]), None)


def _portfolio_of(link):
    portfolio = _first({"_id": link.portfolio}, None) if link else None
    if portfolio is None:
        abort(404, message=NO_SUCH_LINK)
    return portfolio


def _refuse_inactive(link):
    if link.revoked_at is not None or link.expires_at <= utcnow():
        abort(410, message=LINK_GONE)


def recruiter_file_key(link, proof_id):
    """A token-free address key for one proof file seen through a recruiter link.

    The recruiter's PDF links its documents with it: PDFs are cached in the database, which
    must never hold a usable link token. The signed (link, proof) pair opens that one file, and
    only while the link is active.
    """
    return _file_key_serializer().dumps([str(link.id), str(proof_id)])


def resolve_recruiter_file(key):
    """`(portfolio, link, proof_id)` for a `recruiter_file_key`: 404 forged, 410 inactive."""
    try:
        link_id, proof_id = _file_key_serializer().loads(key)
    except (BadSignature, ValueError):
        abort(404, message=NO_SUCH_LINK)
    link = RecruiterLink.objects(id=link_id).first()
    portfolio = _portfolio_of(link)
    _refuse_inactive(link)
    return portfolio, link, proof_id


def _file_key_serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_FILE_KEY_SALT)


def list_links(portfolio):
    return RecruiterLink.objects(portfolio=portfolio.id).order_by("-created_at")


def get_link(portfolio, link_id):
    link = RecruiterLink.objects(id=link_id, portfolio=portfolio.id).first()
    if link is None:
        abort(404, message="Recruiter link not found.")
    return link


def revoke_link(portfolio, link_id):
    """Revoke now (idempotent: a second revoke keeps the first date). The link's key leaves its
    portfolio in the same transaction: neither way of opening the link outlives the other."""
    link = get_link(portfolio, link_id)

    def revoke(session):
        _withdraw_keys(link.portfolio, {"link": link.id}, session)
        RecruiterLink._get_collection().update_one(
            {"_id": link.id, "revoked_at": None}, {"$set": {"revoked_at": utcnow()}},
            session=session)

    with mongo_db().client.start_session() as session:
        session.with_transaction(revoke)
    return link.reload()


def delete_links_of(portfolio):
    """The keys first: should the rest of the deletion fail, the portfolio stays, and a link no
    longer listed (so no longer revocable) must not open it."""
    _withdraw_keys(portfolio.id, None)
    RecruiterLink.objects(portfolio=portfolio.id).delete()


portfolios.DELETE_HOOKS.append(delete_links_of)


# --- addresses and file names --------------------------------------------------------------------

def absolute_url(path):
    """`path` on the public site: PUBLIC_BASE_URL when set, else the request's host."""
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url
    return base.rstrip("/") + path


def recruiter_url(token):
    return absolute_url(f"/r/{token}")


def pdf_filename(portfolio):
    """`camille-martin-portfolio.pdf`: the display name in ASCII, else the slug."""
    name = (portfolio.profile.display_name if portfolio.profile else None) or ""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    return f"{stem or portfolio.slug}-portfolio.pdf"
