"""Recruiter links: creation, listing, tokens at rest, counters, expiry, revocation, 410s."""
import hashlib
import json
import time
from datetime import datetime, timedelta, timezone

import pytest
from bson import ObjectId

from app.models import RecruiterLink
from app.services import publishing

from .conftest import mark_verified

API = "/api/v1/portfolios"
PUBLIC_ITEM, RECRUITER_ITEM, PRIVATE_ITEM = "Pubzqxmarker", "Reczqxmarker", "Prvzqxmarker"


def _iso(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture
def portfolio(portfolio_factory, auth_client):
    created = portfolio_factory(title="Links test")
    response = auth_client.patch(f"{API}/{created['id']}", json={"projects": [
        {"name": PUBLIC_ITEM}, {"name": RECRUITER_ITEM, "visibility": "recruiter"},
        {"name": PRIVATE_ITEM, "visibility": "private"}]})
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def create_link(auth_client, portfolio):
    def factory(expect=201, **body):
        response = auth_client.post(f"{API}/{portfolio['id']}/recruiter-links/",
                                    json={"label": "Acme Corp", **body})
        assert response.status_code == expect, response.get_json()
        return response.get_json()
    return factory


def test_create_shows_the_token_and_url_once(create_link, auth_client, portfolio):
    link = create_link()
    assert set(link) >= {"id", "url", "token", "expires_at", "label", "created_at"}
    assert link["url"] == f"http://localhost/r/{link['token']}"
    assert len(link["token"]) >= 43  # 32 random bytes in URL-safe base64
    expires = _parse(link["expires_at"])
    assert abs(expires - (_parse(link["created_at"]) + timedelta(days=14))) < timedelta(seconds=5)
    listed = auth_client.get(f"{API}/{portfolio['id']}/recruiter-links/").get_json()
    assert listed["pagination"]["total"] == 1
    entry = listed["data"][0]
    assert "token" not in entry and "url" not in entry and "token_hash" not in entry
    assert link["token"] not in json.dumps(listed)
    assert entry["status"] == "active" and entry["access_count"] == 0
    assert entry["last_access_at"] is None and entry["revoked_at"] is None


def test_tokens_are_stored_only_as_hashes(create_link, test_database):
    tokens = [create_link()["token"] for _ in range(3)]
    assert len(set(tokens)) == 3
    dump = json.dumps(list(test_database.recruiter_links.find()), default=str)
    for token in tokens:
        assert token not in dump
        assert hashlib.sha256(token.encode()).hexdigest() in dump


def test_public_base_url_names_the_link(make_app):
    client = make_app(PUBLIC_BASE_URL="https://vitrine.example.com/").test_client()
    signup = client.post("/api/v1/auth/register", json={
        "email": "base@example.com", "password": "correct horse battery staple",
        "full_name": "Base Url"}).get_json()
    mark_verified("base@example.com")
    headers = {"Authorization": f"Bearer {signup['access_token']}"}
    portfolio = client.post(f"{API}/", json={"title": "Base"}, headers=headers).get_json()
    link = client.post(f"{API}/{portfolio['id']}/recruiter-links/", json={"label": "x"},
                       headers=headers).get_json()
    assert link["url"] == f"https://vitrine.example.com/r/{link['token']}"


@pytest.mark.parametrize("body, field", [
    ({"expires_in_days": 0}, "expires_in_days"),
    ({"expires_in_days": 366}, "expires_in_days"),
    ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
    ({"expires_at": _iso(datetime.now(timezone.utc) + timedelta(days=400))}, "expires_at"),
    ({"expires_in_days": 3, "expires_at": _iso(datetime.now(timezone.utc) + timedelta(days=3))},
     "expires_at"),
    ({"label": ""}, "label"),
    ({"token": "chosen-by-me"}, "token"),
])
def test_invalid_expiry_or_fields_are_422(create_link, body, field):
    error = create_link(expect=422, **body)
    assert field in error["errors"], error


def test_expires_in_days_and_max(create_link):
    link = create_link(expires_in_days=365)
    assert _parse(link["expires_at"]) - _parse(link["created_at"]) >= timedelta(days=364)


def test_only_the_owner_manages_links(client, register, portfolio, create_link):
    link = create_link()
    stranger = {"Authorization": f"Bearer {register()['access_token']}"}
    base = f"{API}/{portfolio['id']}/recruiter-links"
    assert client.get(f"{base}/", headers=stranger).status_code == 404
    assert client.post(f"{base}/", json={"label": "x"}, headers=stranger).status_code == 404
    assert client.delete(f"{base}/{link['id']}", headers=stranger).status_code == 404
    assert client.get(f"{base}/").status_code == 401
    assert client.get(f"/api/v1/recruiter/{link['token']}").status_code == 200


def test_each_access_is_counted(client, auth_client, portfolio, create_link):
    token = create_link()["token"]
    assert client.get(f"/api/v1/recruiter/{token}").status_code == 200
    assert client.get(f"/api/v1/recruiter/{token}").status_code == 200
    entry = auth_client.get(f"{API}/{portfolio['id']}/recruiter-links/").get_json()["data"][0]
    assert entry["access_count"] == 2
    assert entry["first_access_at"] <= entry["last_access_at"]
    first = entry["first_access_at"]
    time.sleep(1.1)
    client.get(f"/api/v1/recruiter/{token}")
    entry = auth_client.get(f"{API}/{portfolio['id']}/recruiter-links/").get_json()["data"][0]
    assert entry["access_count"] == 3
    assert entry["first_access_at"] == first and entry["last_access_at"] > first


def test_recruiter_json_shows_recruiter_items_never_private(client, create_link):
    response = client.get(f"/api/v1/recruiter/{create_link()['token']}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert PUBLIC_ITEM in body and RECRUITER_ITEM in body and PRIVATE_ITEM not in body
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response.headers["Cache-Control"]


def test_unknown_token_is_404(client):
    response = client.get("/api/v1/recruiter/not-a-real-token")
    assert response.status_code == 404
    assert response.get_json()["code"] == 404
    assert client.get("/r/not-a-real-token").status_code == 404


def _assert_gone(client, token):
    response = client.get(f"/api/v1/recruiter/{token}")
    assert response.status_code == 410
    assert response.get_json() == {"code": 410, "status": "Gone",
                                   "message": response.get_json()["message"]}
    assert "expired or was revoked" in response.get_json()["message"]
    for path in (f"/r/{token}", f"/r/{token}.pdf"):
        page = client.get(path)
        assert page.status_code == 410
        assert page.mimetype == "text/html"
        assert "expired or was revoked" in page.get_data(as_text=True)
        assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert RECRUITER_ITEM not in page.get_data(as_text=True)


def test_revocation_is_immediate(client, auth_client, portfolio, create_link):
    link = create_link()
    assert client.get(f"/api/v1/recruiter/{link['token']}").status_code == 200
    base = f"{API}/{portfolio['id']}/recruiter-links"
    assert auth_client.delete(f"{base}/{link['id']}").status_code == 204
    _assert_gone(client, link["token"])
    entry = auth_client.get(f"{base}/").get_json()["data"][0]
    assert entry["status"] == "revoked" and entry["revoked_at"]
    assert entry["access_count"] == 1  # refused accesses are not counted
    assert auth_client.delete(f"{base}/{link['id']}").status_code == 204  # idempotent
    assert auth_client.delete(f"{base}/{'0' * 24}").status_code == 404


def test_a_link_expiring_seconds_after_creation(client, auth_client, portfolio, create_link):
    link = create_link(expires_at=_iso(datetime.now(timezone.utc) + timedelta(seconds=2)))
    assert client.get(f"/api/v1/recruiter/{link['token']}").status_code == 200
    time.sleep(max(0.0, (_parse(link["expires_at"]) - datetime.now(timezone.utc))
                   .total_seconds()) + 0.2)
    _assert_gone(client, link["token"])
    entry = auth_client.get(f"{API}/{portfolio['id']}/recruiter-links/").get_json()["data"][0]
    assert entry["status"] == "expired"


def test_private_and_password_protected_portfolios_still_open(client, auth_client, portfolio,
                                                              create_link):
    token = create_link()["token"]
    response = auth_client.patch(f"{API}/{portfolio['id']}",
                                 json={"is_private": True, "password": "open sesame"})
    assert response.status_code == 200
    assert client.get(f"/api/v1/public/{portfolio['slug']}").status_code == 404
    response = client.get(f"/api/v1/recruiter/{token}")
    assert response.status_code == 200
    assert RECRUITER_ITEM in response.get_data(as_text=True)


def test_deleting_the_portfolio_deletes_its_links(client, auth_client, portfolio, create_link):
    token = create_link()["token"]
    assert RecruiterLink.objects.count() == 1
    assert auth_client.delete(f"{API}/{portfolio['id']}").status_code == 204
    assert RecruiterLink.objects.count() == 0
    assert client.get(f"/api/v1/recruiter/{token}").status_code == 404


def test_recruiter_links_open_a_draft(auth_client, client):
    from .test_proofs import pdf_bytes, upload
    created = auth_client.post("/api/v1/portfolios/", json={"title": "Draft"}).get_json()
    proof = upload(auth_client, created["id"], pdf_bytes(), "cv.pdf",
                   visibility="recruiter").get_json()
    token = auth_client.post(f"/api/v1/portfolios/{created['id']}/recruiter-links/",
                             json={"label": "Acme"}).get_json()["token"]
    for path in (f"/r/{token}", f"/r/{token}.pdf", f"/r/{token}/proofs/{proof['id']}",
                 f"/api/v1/recruiter/{token}"):
        assert client.get(path).status_code == 200, path


def _access_keys(portfolio_id):
    from app.models.portfolio import Portfolio
    stored = Portfolio._get_collection().find_one({"_id": ObjectId(portfolio_id)})
    return stored.get("recruiter_access", [])


def test_a_recruiter_page_is_found_through_the_portfolios_key_in_one_read(
        app, client, create_link, portfolio, monkeypatch):
    link = create_link()
    [key] = _access_keys(portfolio["id"])
    assert key["link"] == ObjectId(link["id"]) and "token" not in key
    assert key["token_hash"] == hashlib.sha256(link["token"].encode()).hexdigest()

    def no_second_read(*args):
        raise AssertionError("the link's own document was read")
    monkeypatch.setattr(publishing, "_active_link_with_portfolio", no_second_read)
    assert client.get(f"/r/{link['token']}").status_code == 200
    assert client.get(f"/api/v1/recruiter/{link['token']}").status_code == 200


def test_revoking_removes_the_key_with_the_link(client, auth_client, create_link, portfolio):
    kept, revoked = create_link(), create_link()
    response = auth_client.delete(f"{API}/{portfolio['id']}/recruiter-links/{revoked['id']}")
    assert response.status_code == 204
    assert [key["link"] for key in _access_keys(portfolio["id"])] == [ObjectId(kept["id"])]
    for path in ("/r/{}", "/api/v1/recruiter/{}", "/r/{}.pdf"):
        assert client.get(path.format(revoked["token"])).status_code == 410
        assert client.get(path.format(kept["token"])).status_code == 200


def test_a_link_without_a_key_is_decided_by_its_own_document(client, create_link, portfolio):
    """Links made before keys were kept (or whose key did not land) work all the same."""
    from app.models.portfolio import Portfolio
    link = create_link()
    Portfolio._get_collection().update_one({"_id": ObjectId(portfolio["id"])},
                                           {"$unset": {"recruiter_access": 1}})
    assert client.get(f"/r/{link['token']}").status_code == 200
    RecruiterLink.objects(id=link["id"]).update(set__expires_at=datetime.utcnow())
    assert client.get(f"/r/{link['token']}").status_code == 410


def test_an_expired_key_opens_nothing_and_leaves_when_another_link_is_made(
        client, create_link, portfolio):
    from app.models.portfolio import Portfolio
    expired = create_link()
    past = datetime.utcnow() - timedelta(seconds=1)
    RecruiterLink.objects(id=expired["id"]).update(set__expires_at=past)
    Portfolio._get_collection().update_one({"_id": ObjectId(portfolio["id"])},
                                           {"$set": {"recruiter_access.0.expires_at": past}})
    assert client.get(f"/r/{expired['token']}").status_code == 410
    fresh = create_link()
    assert [key["link"] for key in _access_keys(portfolio["id"])] == [ObjectId(fresh["id"])]


def test_keys_are_never_shown_nor_copied(auth_client, create_link, portfolio):
    create_link()
    owner_view = auth_client.get(f"{API}/{portfolio['id']}")
    assert "recruiter_access" not in owner_view.get_data(as_text=True)
    copy = auth_client.post(f"{API}/{portfolio['id']}/duplicate").get_json()
    assert _access_keys(copy["id"]) == []


def test_a_link_revoked_before_its_key_landed_gets_no_key(app, create_link, portfolio):
    """The link is listed, so revocable, from its save on, before its key is in the portfolio."""
    link = create_link()
    RecruiterLink.objects(id=link["id"]).update(set__revoked_at=datetime.utcnow())
    publishing._withdraw_keys(ObjectId(portfolio["id"]), {"link": ObjectId(link["id"])})
    publishing._grant_access(RecruiterLink.objects.get(id=link["id"]))  # the late grant
    assert _access_keys(portfolio["id"]) == []


def test_a_deletion_that_fails_half_way_leaves_no_link_opening_the_portfolio(
        client, auth_client, create_link, portfolio, monkeypatch):
    from app.services import portfolios
    link = create_link()

    def failing_hook(deleted):
        raise RuntimeError("GridFS unreachable")
    monkeypatch.setattr(portfolios, "DELETE_HOOKS", [*portfolios.DELETE_HOOKS, failing_hook])
    assert auth_client.delete(f"{API}/{portfolio['id']}").status_code == 500
    assert auth_client.get(f"{API}/{portfolio['id']}").status_code == 200  # still there
    for path in ("/r/{}", "/api/v1/recruiter/{}"):
        assert client.get(path.format(link["token"])).status_code == 404
