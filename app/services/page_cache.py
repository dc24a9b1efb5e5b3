"""Published pages and JSON views built once per version, kept in this process (issue 16).

An entry is keyed by everything its bytes depend on: the portfolio's id and version, the
audience, a digest of its proofs (proofs change without a new version), its language and
template, the site's address (absolute links) and, for a recruiter, the link (its token is in
the proof addresses). A write makes a new version, hence a new key: the next request builds the
page again, no entry is ever stale. Who may see the portfolio (privacy, password, recruiter link)
and the visit are decided by the routes on every request, before the cache is asked.

The cache is a bounded LRU (MAX_ENTRIES per process, ~30 KB each); entries of older versions
are simply never asked for again and age out.
"""
import hashlib
import threading
from collections import OrderedDict

from bson import BSON
from flask import current_app
from flask_smorest import abort

from ..models.portfolio import Portfolio
from .publishing import PRIVATE_PAGE_HEADERS

MAX_ENTRIES = 256
# A CDN may hold a public page (or JSON view) a minute; browsers ask again every time (a 304
# when nothing changed). Recruiter and password-protected answers: publishing.PRIVATE_PAGE_HEADERS.
PUBLIC_CACHE_CONTROL = "public, max-age=0, s-maxage=60"
# What the routes read of a portfolio before a cache hit: the access rules (privacy, password),
# the visit (owner) and the key. Never the content.
HEAD_FIELDS = ("slug", "title", "owner", "is_private", "password_hash",
               "password_changed_at", "version", "template", "language", "proofs")


def public_headers(portfolio):
    """Who may keep a public answer: a shared cache only when there is no password."""
    return PRIVATE_PAGE_HEADERS if portfolio.password_hash else \
        {"Cache-Control": PUBLIC_CACHE_CONTROL}


class LRU:
    def __init__(self, size):
        self.size = size
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def _cache():
    return current_app.extensions.setdefault("vitrine_page_cache", LRU(MAX_ENTRIES))


def proofs_digest(head):
    """A digest of the proofs' metadata (what a view shows of them and who may see them), as
    stored (`head`: a publishing.PortfolioHead)."""
    return hashlib.sha256(BSON.encode({"proofs": head.proofs})).hexdigest()[:16]


def cache_key(kind, head, audience, *variant):
    """The key of `kind` ("page", "json") of the portfolio `head` (HEAD_FIELDS) for `audience`;
    `variant` is anything else the bytes depend on (site address, recruiter link)."""
    return (kind, str(head.id), head.version, audience, proofs_digest(head), head.language,
            head.template, *variant)


def etag(key):
    """A weak validator of the entry's meaning (the page's style nonce may differ per response)."""
    return hashlib.sha256(repr(key).encode()).hexdigest()[:32]


def get_or_build(key, build):
    """The entry under `key`, else `build()` kept under it."""
    cache = _cache()
    entry = cache.get(key)
    if entry is None:
        entry = build()
        cache.put(key, entry)
    return entry


def load_whole(head):
    """The whole portfolio whose head (HEAD_FIELDS) a route resolved: only on a cache miss."""
    portfolio = Portfolio.objects(id=head.id).first()
    if portfolio is None:
        abort(404, message="Portfolio not found.")
    return portfolio
