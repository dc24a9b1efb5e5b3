"""Pages and JSON views built once per version (app/services/page_cache.py): never stale, never
shared across audiences, every access rule and every visit still applied on each request."""
import pytest
from bson import ObjectId

from app.extensions import mongo_db
from app.models.audience import VISIT_OUTBOX
from app.services import page_cache, publishing

API = "/api/v1/portfolios"
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"}
PUBLIC_CACHE = "public, max-age=0, s-maxage=60"
PRIVATE_CACHE = "private, no-store"


@pytest.fixture
def published(auth_client, portfolio_factory):
    """A published portfolio with one public and one recruiter-only project."""
    portfolio = portfolio_factory(title="Cached portfolio")
    response = auth_client.patch(f"{API}/{portfolio['id']}", json={"projects": [
        {"name": "Public harbour"}, {"name": "Recruiter lighthouse", "visibility": "recruiter"}]})
    assert response.status_code == 200
    return response.get_json()


def _link(auth_client, portfolio_id):
    response = auth_client.post(f"{API}/{portfolio_id}/recruiter-links/", json={"label": "t"})
    assert response.status_code == 201
    return response.get_json()


def _cached_keys(app):
    return list(app.extensions["vitrine_page_cache"]._entries)


@pytest.mark.parametrize("path", ["/p/{slug}", "/api/v1/public/{slug}"])
def test_a_change_is_visible_on_the_next_request(client, auth_client, published, path):
    url = path.format(slug=published["slug"])
    assert "Public harbour" in client.get(url).get_data(as_text=True)
    assert "Public harbour" in client.get(url).get_data(as_text=True)  # from the cache
    response = auth_client.patch(f"{API}/{published['id']}",
                                 json={"projects": [{"name": "Renamed harbour"}]})
    assert response.status_code == 200
    text = client.get(url).get_data(as_text=True)
    assert "Renamed harbour" in text and "Public harbour" not in text


def test_a_proof_change_without_a_new_version_changes_the_key(app, published):
    from app.models.portfolio import Portfolio, Proof

    def head():
        return publishing.resolve_public(published["slug"], fields=page_cache.HEAD_FIELDS)
    before = page_cache.cache_key("page", head(), "public")
    proof = Proof(id=ObjectId(), item_type="projects",
                  item_id=ObjectId(published["projects"][0]["id"]), title="Proof",
                  visibility="public", file_id=ObjectId())
    Portfolio.objects(id=published["id"]).update_one(push__proofs=proof)
    assert head().version == published["version"]
    assert page_cache.cache_key("page", head(), "public") != before


def test_the_head_reads_only_its_fields_and_the_models_defaults(app, published):
    from app.models.portfolio import Portfolio
    Portfolio._get_collection().update_one({"_id": ObjectId(published["id"])},
                                           {"$unset": {"template": ""}})
    head = publishing.resolve_public(published["slug"], fields=page_cache.HEAD_FIELDS)
    assert str(head.id) == published["id"] and head.version == published["version"]
    assert head.template == "classic" and head.proofs == [] and head.password_hash is None
    assert head.owner == Portfolio._get_collection().find_one(
        {"_id": ObjectId(published["id"])})["owner"]
    with pytest.raises(AttributeError):
        head.projects  # content is never read on the way to a cached page


def test_an_old_slug_still_redirects_through_the_head(client, auth_client, published):
    client.get(f"/p/{published['slug']}")
    assert auth_client.patch(f"{API}/{published['id']}",
                             json={"slug": "moved-cached-portfolio"}).status_code == 200
    for path in ("/p/{}", "/api/v1/public/{}"):
        response = client.get(path.format(published["slug"]))
        assert response.status_code == 301
        assert response.headers["Location"].endswith(path.format("moved-cached-portfolio"))


def test_the_owner_is_not_counted_on_a_cache_hit(app, client, auth_client, published):
    outbox = mongo_db()[VISIT_OUTBOX]
    client.get(f"/p/{published['slug']}", headers=BROWSER)  # builds the entry
    before = outbox.count_documents({})
    assert auth_client.get(f"/p/{published['slug']}", headers=BROWSER).status_code == 200
    assert outbox.count_documents({}) == before


def test_recruiter_and_public_pages_never_share_an_entry(app, client, auth_client, published):
    token = _link(auth_client, published["id"])["token"]
    for _ in range(2):  # the second round comes from the cache
        public = client.get(f"/p/{published['slug']}").get_data(as_text=True)
        recruiter = client.get(f"/r/{token}").get_data(as_text=True)
        assert "Recruiter lighthouse" not in public
        assert "Recruiter lighthouse" in recruiter and f"/r/{token}" in recruiter
    audiences = {key[3] for key in _cached_keys(app) if key[0] == "page"}
    assert audiences == {"public", "recruiter"}


def test_a_revoked_link_is_gone_on_the_next_request_though_its_page_is_cached(
        client, auth_client, published):
    link = _link(auth_client, published["id"])
    assert client.get(f"/r/{link['token']}").status_code == 200
    assert client.get(f"/api/v1/recruiter/{link['token']}").status_code == 200
    response = auth_client.delete(f"{API}/{published['id']}/recruiter-links/{link['id']}")
    assert response.status_code in (200, 204)
    assert client.get(f"/r/{link['token']}").status_code == 410
    assert client.get(f"/api/v1/recruiter/{link['token']}").status_code == 410


def test_private_and_protected_portfolios_are_not_served_from_the_cache(
        client, auth_client, published):
    slug = published["slug"]
    assert client.get(f"/p/{slug}").status_code == 200
    assert auth_client.patch(f"{API}/{published['id']}",
                             json={"password": "open sesame please"}).status_code == 200
    visitor = auth_client.application.test_client()
    response = visitor.get(f"/p/{slug}")
    assert response.status_code == 401 and "Public harbour" not in response.get_data(as_text=True)
    assert visitor.get(f"/api/v1/public/{slug}").status_code == 401
    unlocked = visitor.post(f"/p/{slug}/unlock", data={"password": "open sesame please"})
    assert unlocked.status_code == 303
    for path in (f"/p/{slug}", f"/api/v1/public/{slug}"):
        response = visitor.get(path)
        assert response.status_code == 200 and response.headers["Cache-Control"] == PRIVATE_CACHE
    assert client.get(f"/p/{slug}").status_code == 401  # another visitor, not unlocked
    assert auth_client.patch(f"{API}/{published['id']}", json={"is_private": True}).status_code \
        == 200
    assert client.get(f"/p/{slug}").status_code == 404
    assert client.get(f"/api/v1/public/{slug}").status_code == 404


@pytest.mark.parametrize("path", ["/p/{slug}", "/api/v1/public/{slug}", "/r/{token}",
                                  "/api/v1/recruiter/{token}"])
def test_if_none_match_is_a_304(client, auth_client, published, path):
    url = path.format(slug=published["slug"], token=_link(auth_client, published["id"])["token"])
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    auth_client.patch(f"{API}/{published['id']}", json={"title": "A new title"})
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_a_cached_page_keeps_the_style_nonce_its_policy_names(client, published):
    for _ in range(2):
        response = client.get(f"/p/{published['slug']}")
        nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        assert f'nonce="{nonce}"' in response.get_data(as_text=True)


@pytest.mark.parametrize("path, expected", [
    ("/p/{slug}", PUBLIC_CACHE), ("/api/v1/public/{slug}", PUBLIC_CACHE),
    ("/r/{token}", PRIVATE_CACHE), ("/api/v1/recruiter/{token}", PRIVATE_CACHE),
])
def test_cache_control_per_audience(client, auth_client, published, path, expected):
    url = path.format(slug=published["slug"], token=_link(auth_client, published["id"])["token"])
    for _ in range(2):
        assert client.get(url).headers["Cache-Control"] == expected


def test_the_owners_editor_api_is_never_held_by_a_shared_cache(auth_client, published):
    response = auth_client.get(f"{API}/{published['id']}")
    assert "public" not in response.headers.get("Cache-Control", "")


def test_visits_are_recorded_on_cache_hits_and_304s(app, client, auth_client, published):
    token = _link(auth_client, published["id"])["token"]
    outbox = mongo_db()[VISIT_OUTBOX]
    before = outbox.count_documents({})
    etag = client.get(f"/p/{published['slug']}", headers=BROWSER).headers["ETag"]
    client.get(f"/p/{published['slug']}", headers=BROWSER)
    client.get(f"/p/{published['slug']}", headers={**BROWSER, "If-None-Match": etag})
    client.get(f"/r/{token}", headers=BROWSER)
    client.get(f"/r/{token}", headers=BROWSER)
    assert outbox.count_documents({}) == before + 5
