"""The editor's live preview, /app/portfolios/<id>/preview (app/web/app_pages.py): the real
published page, for its owner only, in the editor's frame only; never cached, indexed or counted.
The editor that shows it is driven in tests/browser/test_editor.py."""
import io

import pytest
from PIL import Image

from .conftest import PASSWORD
from .test_visits import FIREFOX


def cookie_session(client, email):
    """`client` signed in with session cookies, as the web app's browser is."""
    response = client.post("/api/v1/auth/login",
                           json={"email": email, "password": PASSWORD, "session": "cookie"})
    assert response.status_code == 200
    client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    return client


@pytest.fixture
def owner(app, auth_client):
    return cookie_session(app.test_client(), auth_client.user["email"])


def preview_of(client, portfolio, audience=None):
    query = f"?audience={audience}" if audience else ""
    return client.get(f"/app/portfolios/{portfolio['id']}/preview{query}")


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#3444c4").save(buffer, "PNG")
    return buffer.getvalue()


def test_the_owner_sees_the_real_page_of_a_draft_in_each_audience(owner, portfolio_factory):
    portfolio = portfolio_factory(full=True, is_private=True)
    headline = portfolio["profile"]["headline"]
    recruiter_only = next(project["name"] for project in portfolio["projects"]
                          if project["visibility"] == "recruiter")

    public = preview_of(owner, portfolio, "public")
    assert public.status_code == 200 and public.mimetype == "text/html"
    assert headline in public.get_data(as_text=True)
    assert recruiter_only not in public.get_data(as_text=True)
    recruiter = preview_of(owner, portfolio, "recruiter").get_data(as_text=True)
    assert recruiter_only in recruiter and "Recruiter view" in recruiter
    assert "Owner preview" in preview_of(owner, portfolio).get_data(as_text=True)
    assert preview_of(owner, portfolio, "everyone").status_code == 404


def test_never_cached_never_indexed_framable_by_the_app_only(owner, portfolio_factory):
    response = preview_of(owner, portfolio_factory(), "public")
    assert "no-store" in response.headers["Cache-Control"]
    assert "noindex" in response.headers["X-Robots-Tag"]
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "script-src 'self'" in policy
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert '<meta name="robots" content="noindex,nofollow">' in response.get_data(as_text=True)


def test_someone_elses_portfolio_is_not_found(app, register, portfolio_factory):
    portfolio = portfolio_factory(is_private=False)
    stranger = cookie_session(app.test_client(), register()["user"]["email"])
    response = preview_of(stranger, portfolio, "public")
    assert response.status_code == 404
    assert portfolio["title"] not in response.get_data(as_text=True)


def test_without_a_session_a_framable_401_page(app, portfolio_factory):
    response = preview_of(app.test_client(), portfolio_factory(), "public")
    assert response.status_code == 401
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert "Sign in again" in response.get_data(as_text=True)


def test_proof_images_load_from_the_owners_file_route(owner, auth_client, portfolio_factory):
    portfolio = portfolio_factory(full=True, is_private=True)
    project = portfolio["projects"][0]
    proof = auth_client.post(f"/api/v1/portfolios/{portfolio['id']}/proofs/", data={
        "file": (io.BytesIO(png_bytes()), "screen.png"), "item_type": "projects",
        "item_id": project["id"], "title": "Screenshot", "visibility": "public"}).get_json()
    html = preview_of(owner, portfolio, "public").get_data(as_text=True)
    thumbnail = f"/api/v1/portfolios/{portfolio['id']}/proofs/{proof['id']}/file?thumbnail=1"
    assert f'src="{thumbnail}"' in html
    assert owner.get(thumbnail).status_code == 200


def test_not_counted_as_a_visit(app, owner, auth_client, portfolio_factory):
    portfolio = portfolio_factory(full=True)
    for audience in ("public", "recruiter", "owner"):
        assert preview_of(owner, portfolio, audience).status_code == 200
    stats = auth_client.get(f"/api/v1/portfolios/{portfolio['id']}/stats?days=7").get_json()
    assert (stats["total_views"], stats["downloads"]) == (0, 0)
    # Visits are being counted meanwhile: a visitor's view of the page is.
    app.test_client().get(f"/p/{portfolio['slug']}", headers={"User-Agent": FIREFOX})
    stats = auth_client.get(f"/api/v1/portfolios/{portfolio['id']}/stats?days=7").get_json()
    assert stats["total_views"] == 1
