"""GET /api/v1/portfolios/<id>/stats: read from the daily rollups, every day present."""
from datetime import datetime, time, timedelta, timezone

import pytest

from app.models.audience import utc_today
from app.models.recruiter_link import RecruiterLink
from app.services.stats import recruiter_link_views
from app.services.visits import process_visit

from .test_proofs import image_bytes, pdf_bytes, upload
from .test_visits import CHROME, FIREFOX, payload_for

API = "/api/v1/portfolios"


@pytest.fixture
def portfolio_id(portfolio_factory):
    return portfolio_factory()["id"]


def visit(app, portfolio_id, days_ago=0, ip="8.8.8.8", source=None, kind="page", **headers):
    at = datetime.combine(utc_today() - timedelta(days=days_ago), time(0, 0))
    with app.app_context():
        payload = payload_for(app, portfolio_id, at, ip=ip, **headers)
        if source:
            payload["source"] = source
        payload["kind"] = kind
        process_visit(payload)


def test_no_visits_is_all_zeros_with_every_day_present(auth_client, portfolio_id):
    response = auth_client.get(f"{API}/{portfolio_id}/stats")
    assert response.status_code == 200
    body = response.get_json()
    assert body["total_views"] == 0 and body["unique_visitors"] == 0
    assert len(body["by_day"]) == 30
    assert body["by_day"][-1]["date"] == utc_today().isoformat()
    assert body["by_day"][0]["date"] == (utc_today() - timedelta(days=29)).isoformat()
    assert all(day["views"] == 0 and day["unique_visitors"] == 0 for day in body["by_day"])
    assert body["by_country"] == [] and body["by_source"] == [] and body["top_referrers"] == []
    assert body["by_kind"] == [{"kind": kind, "views": 0} for kind in ("page", "pdf", "proof")]
    assert body["trend"] == {"previous_views": 0, "change_percent": None}


def test_views_by_day_country_source_kind_and_referrer(app, auth_client, portfolio_id):
    link = auth_client.post(f"{API}/{portfolio_id}/recruiter-links/",
                            json={"label": "Acme Corp"}).get_json()
    visit(app, portfolio_id, ip="8.8.8.8", Referer="https://www.linkedin.com/in/x")
    visit(app, portfolio_id, ip="8.8.8.8", **{"User-Agent": CHROME})  # same address, other browser
    visit(app, portfolio_id, ip="193.51.24.1", source=link["id"], kind="pdf")
    visit(app, portfolio_id, days_ago=2, ip="193.51.24.1", Referer="https://www.linkedin.com/")
    visit(app, portfolio_id, days_ago=3, ip="127.0.0.1")  # not in the database: no country
    body = auth_client.get(f"{API}/{portfolio_id}/stats?days=7").get_json()
    assert body["total_views"] == 4 and body["downloads"] == 1 and body["unique_visitors"] == 5
    assert [day["views"] for day in body["by_day"]] == [0, 0, 0, 1, 1, 0, 2]
    assert [day["downloads"] for day in body["by_day"]] == [0, 0, 0, 0, 0, 0, 1]
    assert body["by_country"] == [{"country": "FR", "views": 2}, {"country": "US", "views": 2},
                                  {"country": None, "views": 1}]
    assert body["by_source"] == [
        {"source": "public", "label": "Public page", "views": 4},
        {"source": link["id"], "label": "Acme Corp", "views": 1}]
    assert body["by_kind"] == [{"kind": "page", "views": 4}, {"kind": "pdf", "views": 1},
                               {"kind": "proof", "views": 0}]
    assert body["top_referrers"] == [{"host": "www.linkedin.com", "views": 2}]


def test_the_range_and_the_trend(app, auth_client, portfolio_id):
    for days_ago, ip in ((0, "1.1.1.1"), (1, "1.1.1.1"), (1, "8.8.8.8"), (2, "1.1.1.1"),
                         (3, "1.1.1.1"), (9, "1.1.1.1")):
        visit(app, portfolio_id, days_ago=days_ago, ip=ip)
    body = auth_client.get(f"{API}/{portfolio_id}/stats?days=2").get_json()
    assert [day["views"] for day in body["by_day"]] == [2, 1]
    assert body["trend"] == {"previous_views": 2, "change_percent": 50.0}
    body = auth_client.get(f"{API}/{portfolio_id}/stats?days=1").get_json()
    assert body["total_views"] == 1 and body["trend"] == {"previous_views": 2,
                                                          "change_percent": -50.0}
    body = auth_client.get(f"{API}/{portfolio_id}/stats?days=365").get_json()
    assert len(body["by_day"]) == 365 and body["total_views"] == 6


def test_days_are_utc_days_whatever_the_servers_time_zone(app, auth_client, portfolio_factory,
                                                          monkeypatch):
    import time as clock
    portfolio = portfolio_factory()
    utc_date = datetime.now(timezone.utc).date()
    # A zone whose date differs from UTC's right now (UTC-12 in the morning, UTC+14 after noon).
    monkeypatch.setenv("TZ", "Etc/GMT+12" if datetime.now(timezone.utc).hour < 12
                       else "Etc/GMT-14")
    clock.tzset()
    try:
        assert datetime.now().date() != utc_date
        app.test_client().get(f"/p/{portfolio['slug']}", headers={"User-Agent": FIREFOX})
        body = auth_client.get(f"{API}/{portfolio['id']}/stats?days=2").get_json()
    finally:
        monkeypatch.undo()
        clock.tzset()
    assert body["by_day"][-1] == {"date": utc_date.isoformat(), "views": 1, "downloads": 0,
                                  "unique_visitors": 1}


@pytest.mark.parametrize("query", ["days=0", "days=366", "days=abc"])
def test_invalid_ranges_are_422(auth_client, portfolio_id, query):
    response = auth_client.get(f"{API}/{portfolio_id}/stats?{query}")
    assert response.status_code == 422
    assert response.get_json()["code"] == 422


def test_owner_only(client, register, portfolio_id):
    assert client.get(f"{API}/{portfolio_id}/stats").status_code == 401
    intruder = {"Authorization": f"Bearer {register()['access_token']}"}
    response = client.get(f"{API}/{portfolio_id}/stats", headers=intruder)
    assert response.status_code == 404 and response.get_json()["message"] == "Portfolio not found."


def test_a_deleted_links_views_keep_a_label(app, auth_client, portfolio_id):
    link = auth_client.post(f"{API}/{portfolio_id}/recruiter-links/",
                            json={"label": "Gone"}).get_json()
    visit(app, portfolio_id, source=link["id"])
    RecruiterLink.objects(id=link["id"]).delete()
    body = auth_client.get(f"{API}/{portfolio_id}/stats").get_json()
    assert body["by_source"] == [{"source": link["id"], "label": "Deleted recruiter link",
                                  "views": 1}]


def test_recruiter_link_views_counts_only_counted_views(app, auth_client, portfolio_id):
    created = [auth_client.post(f"{API}/{portfolio_id}/recruiter-links/",
                                json={"label": label}).get_json() for label in ("A", "B")]
    visit(app, portfolio_id, source=created[0]["id"], ip="1.1.1.1")
    visit(app, portfolio_id, source=created[0]["id"], ip="1.1.1.1")  # a repeat: not counted
    visit(app, portfolio_id, source=created[0]["id"], ip="8.8.8.8", kind="pdf")
    with app.app_context():
        views = recruiter_link_views(RecruiterLink.objects(portfolio=portfolio_id))
    assert (views[created[0]["id"]]["views"], views[created[0]["id"]]["downloads"]) == (1, 1)
    assert views[created[0]["id"]]["first_view_at"] is not None
    assert views[created[1]["id"]] == {"views": 0, "downloads": 0, "first_view_at": None,
                                       "last_view_at": None}


def test_stats_are_documented_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/portfolios/{portfolio_id}/stats"]["get"]
    assert "200" in operation["responses"] and operation["security"]
    assert {"by_day", "by_country", "by_source", "trend"} <= set(
        spec["components"]["schemas"]["Stats"]["properties"])


def test_the_recruiter_links_list_shows_counted_views(app, auth_client, portfolio_id):
    link = auth_client.post(f"{API}/{portfolio_id}/recruiter-links/",
                            json={"label": "Acme"}).get_json()
    browser = app.test_client()
    for user_agent in (FIREFOX, FIREFOX, "LinkedInBot/1.0"):  # a repeat and a preview fetcher
        response = browser.get(f"/r/{link['token']}", headers={"User-Agent": user_agent})
        assert response.status_code == 200
    [listed] = auth_client.get(f"{API}/{portfolio_id}/recruiter-links/").get_json()["data"]
    assert listed["views"] == 1
    assert listed["first_view_at"].endswith("Z") and listed["last_view_at"].endswith("Z")
    assert listed["access_count"] == 3  # every opening, as the links area counts them


def test_page_views_and_downloads_are_counted_apart(auth_client, portfolio_factory, client):
    """One visitor reads the page, downloads the PDF and two proofs within minutes: one view
    and three downloads; their repeats count nothing more."""
    portfolio = portfolio_factory()
    files = [upload(auth_client, portfolio["id"], pdf_bytes(), f"{name}.pdf",
                    visibility="public").get_json()["id"] for name in ("cv", "diploma")]
    browser = {"User-Agent": FIREFOX}
    requests = [f"/p/{portfolio['slug']}", f"/p/{portfolio['slug']}.pdf",
                *(f"/p/{portfolio['slug']}/proofs/{proof_id}" for proof_id in files)]
    for path in requests * 2:
        assert client.get(path, headers=browser).status_code == 200, path
    body = auth_client.get(f"{API}/{portfolio['id']}/stats?days=7").get_json()
    assert (body["total_views"], body["downloads"], body["unique_visitors"]) == (1, 3, 1)
    assert (body["by_day"][-1]["views"], body["by_day"][-1]["downloads"]) == (1, 3)
    assert body["by_kind"] == [{"kind": "page", "views": 1}, {"kind": "pdf", "views": 1},
                               {"kind": "proof", "views": 2}]


def test_the_pages_own_background_image_is_not_a_download(
        auth_client, portfolio_factory, client):
    """The masthead loads the background image from the proof file route at full size (no
    ?thumbnail=1, no Range): part of reading the page, not a download."""
    portfolio = portfolio_factory()
    image = upload(auth_client, portfolio["id"], image_bytes("PNG"), "bg.png",
                   visibility="public").get_json()
    saved = auth_client.patch(f"{API}/{portfolio['id']}",
                              json={"theme": {"background_image_proof_id": image["id"]}})
    assert saved.status_code == 200, saved.get_json()
    page = client.get(f"/p/{portfolio['slug']}", headers={"User-Agent": FIREFOX})
    background = f"/p/{portfolio['slug']}/proofs/{image['id']}"
    assert background in page.get_data(as_text=True)  # what the browser fetches next
    assert client.get(background, headers={"User-Agent": FIREFOX}).status_code == 200
    body = auth_client.get(f"{API}/{portfolio['id']}/stats?days=7").get_json()
    assert (body["total_views"], body["downloads"]) == (1, 0)


def test_a_recruiter_links_views_do_not_include_its_downloads(app, auth_client,
                                                              portfolio_factory):
    """One recruiter opens the link, downloads the PDF and one proof: the link, like /stats,
    has 1 view and 2 downloads."""
    portfolio = portfolio_factory()
    proof = upload(auth_client, portfolio["id"], pdf_bytes(), "cv.pdf",
                   visibility="recruiter").get_json()
    link = auth_client.post(f"{API}/{portfolio['id']}/recruiter-links/",
                            json={"label": "Acme"}).get_json()
    browser = app.test_client()
    for path in (f"/r/{link['token']}", f"/r/{link['token']}.pdf",
                 f"/r/{link['token']}/proofs/{proof['id']}"):
        assert browser.get(path, headers={"User-Agent": FIREFOX}).status_code == 200, path
    body = auth_client.get(f"{API}/{portfolio['id']}/stats?days=7").get_json()
    assert (body["total_views"], body["downloads"]) == (1, 2)
    [listed] = auth_client.get(f"{API}/{portfolio['id']}/recruiter-links/").get_json()["data"]
    assert listed["views"] == body["total_views"]
