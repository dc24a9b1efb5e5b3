"""What visitors, recruiters and owners see, in HTML, JSON and PDF; passwords; old slugs; the
PDF cache.

Marker strings are planted in items of each visibility, in the recruiter-only contact fields and
in a private portfolio; every output is searched for all of them.
"""
import base64
import io
import re
import time
import zlib
from datetime import timedelta

import pytest
from flask_limiter.util import get_qualified_name
from PIL import Image
from pypdf import PdfReader

from app.extensions import limiter
from app.models.portfolio import Portfolio
from app.models.recruiter_link import RecruiterLink
from app.models.user import utcnow
from app.web import rendering

API = "/api/v1/portfolios"
PUBLIC = ["Pubprojzqx", "Pubexpzqx"]
RECRUITER = ["Recprojzqx", "Recdiplzqx", "contactzqx@example.com"]
PRIVATE = ["Prvprojzqx", "Prvcertzqx", "Prvlinkzqx"]
PRIVATE_PORTFOLIO = "Hiddenportzqx"
PASSWORD = "open sesame"


def _content():
    """Every marker in its own item (or field) of the stated visibility."""
    return {
        "profile": {"display_name": "Zoé Marker-Test", "headline": "Headline",
                    "email": RECRUITER[2], "phone": "+33 1 23 45 67 89",
                    "contact_visibility": "recruiter"},
        "projects": [{"name": PUBLIC[0]},
                     {"name": RECRUITER[0], "visibility": "recruiter"},
                     {"name": PRIVATE[0], "visibility": "private"}],
        "experiences": [{"role": PUBLIC[1], "organisation": "Acme"}],
        "diplomas": [{"title": RECRUITER[1], "visibility": "recruiter"}],
        "certifications": [{"name": PRIVATE[1], "visibility": "private"}],
        "links": [{"network": "website", "url": "https://example.org/x", "label": PRIVATE[2],
                   "visibility": "private"}],
        # The demo's items with web links of their own (the PDFs here link documents only).
        "volunteer": [], "publications": [],
    }


@pytest.fixture
def marked(auth_client, portfolio_factory):
    """A published portfolio with markers, and a private one; returns (marked, private)."""
    portfolio = portfolio_factory(title="Marked portfolio", full=True)
    response = auth_client.patch(f"{API}/{portfolio['id']}", json=_content())
    assert response.status_code == 200, response.get_json()
    hidden = portfolio_factory(title="Hidden portfolio")
    response = auth_client.patch(f"{API}/{hidden['id']}", json={
        "is_private": True, "projects": [{"name": PRIVATE_PORTFOLIO}]})
    assert response.status_code == 200
    return portfolio, hidden


def _recruiter_token(auth_client, portfolio_id):
    response = auth_client.post(f"{API}/{portfolio_id}/recruiter-links/", json={"label": "t"})
    assert response.status_code == 201
    return response.get_json()["token"]


def pdf_text(data):
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def _text(response):
    if response.mimetype == "application/pdf":
        return pdf_text(response.data)
    return response.get_data(as_text=True)


def _assert_sees(text, visible, hidden):
    for marker in visible:
        assert marker in text, f"{marker} missing"
    for marker in hidden:
        assert marker not in text, f"{marker} leaked"


@pytest.mark.parametrize("suffix", ["", ".pdf"])
def test_public_page_and_pdf_show_public_items_only(client, marked, suffix):
    portfolio, _ = marked
    response = client.get(f"/p/{portfolio['slug']}{suffix}")
    assert response.status_code == 200
    _assert_sees(_text(response), PUBLIC, RECRUITER + PRIVATE + [PRIVATE_PORTFOLIO])


def test_public_json_shows_public_items_only(client, marked):
    portfolio, _ = marked
    response = client.get(f"/api/v1/public/{portfolio['slug']}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["slug"] == portfolio["slug"] and "owner" not in body
    assert "password_hash" not in response.get_data(as_text=True)
    _assert_sees(response.get_data(as_text=True), PUBLIC,
                 RECRUITER + PRIVATE + [PRIVATE_PORTFOLIO])


@pytest.mark.parametrize("path", ["/r/{token}", "/r/{token}.pdf", "/api/v1/recruiter/{token}"])
def test_recruiter_outputs_show_public_and_recruiter_items(client, auth_client, marked, path):
    portfolio, _ = marked
    token = _recruiter_token(auth_client, portfolio["id"])
    response = client.get(path.format(token=token))
    assert response.status_code == 200
    _assert_sees(_text(response), PUBLIC + RECRUITER, PRIVATE + [PRIVATE_PORTFOLIO])
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"  # the token stays here


def test_owner_export_pdf_shows_everything(client, auth_client, marked):
    portfolio, _ = marked
    response = auth_client.get(f"{API}/{portfolio['id']}/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename=zoe-marker-test-portfolio.pdf'
    _assert_sees(pdf_text(response.data), PUBLIC + RECRUITER + PRIVATE, [PRIVATE_PORTFOLIO])
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.metadata.author == "Zoé Marker-Test"
    assert client.get(f"{API}/{portfolio['id']}/export.pdf").status_code == 401


def test_pdf_title_names_the_person_once_when_the_portfolio_is_named_after_them(
        client, auth_client, portfolio_factory):
    portfolio = portfolio_factory(title="Richard Hendriks")
    auth_client.patch(f"{API}/{portfolio['id']}",
                      json={"profile": {"display_name": "Richard Hendriks"}})
    reader = PdfReader(io.BytesIO(client.get(f"/p/{portfolio['slug']}.pdf").data))
    assert reader.metadata.title == "Richard Hendriks"


def test_public_pdf_is_inline_with_a_clean_filename(client, marked):
    portfolio, _ = marked
    response = client.get(f"/p/{portfolio['slug']}.pdf")
    assert response.headers["Content-Disposition"] == \
        'inline; filename=zoe-marker-test-portfolio.pdf'


def test_private_portfolio_is_404_everywhere_public(client, auth_client, marked):
    _, hidden = marked
    slug = hidden["slug"]
    for path in (f"/p/{slug}", f"/p/{slug}.pdf", f"/api/v1/public/{slug}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert PRIVATE_PORTFOLIO not in response.get_data(as_text=True)
    assert client.get(f"/api/v1/public/{slug}").get_json()["code"] == 404
    assert client.post(f"/p/{slug}/unlock", data={"password": "x"}).status_code == 404
    # ... while its owner still exports it.
    export = auth_client.get(f"{API}/{hidden['id']}/export.pdf")
    assert PRIVATE_PORTFOLIO in pdf_text(export.data)


def test_unknown_slug_is_404(client):
    assert client.get("/p/no-such-portfolio").status_code == 404
    assert client.get("/api/v1/public/no-such-portfolio").get_json()["code"] == 404


def _upload(auth_client, portfolio_id, title, visibility, item_type="profile", item_id=None):
    image = io.BytesIO()
    Image.new("RGB", (40, 30), "#2a9d8f").save(image, "PNG")
    data = {"file": (io.BytesIO(image.getvalue()), "proof.png"), "item_type": item_type,
            "title": title, "visibility": visibility, **({"item_id": item_id} if item_id else {})}
    response = auth_client.post(f"{API}/{portfolio_id}/proofs/", data=data,
                                content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_nothing_private_leaks_through_proofs_skills_photo_or_layout(client, auth_client,
                                                                     portfolio_factory):
    """Indirect references: a skill proven by a private project, a private photo and
    background, a public proof on a private item, a layout heading over private items only."""
    portfolio = portfolio_factory(title="Indirect")
    body = auth_client.patch(f"{API}/{portfolio['id']}", json={
        "projects": [{"name": "Shownprojzqx"}, {"name": "Prvprovenzqx", "visibility": "private"}],
        "certifications": [{"name": "Prvcertzqx", "visibility": "private"}],
        "layout": {"sections": [{"section": "certifications", "heading": "Prvheadingzqx"},
                                {"section": "projects", "heading": "Shownheadingzqx"}]},
    }).get_json()
    shown, hidden = (project["id"] for project in body["projects"])
    auth_client.patch(f"{API}/{portfolio['id']}", json={"skills": [
        {"name": "Shownskillzqx", "project_ids": [shown, hidden]}]})
    photo = _upload(auth_client, portfolio["id"], "Prvphotozqx", "private")
    background = _upload(auth_client, portfolio["id"], "Prvbackgroundzqx", "private")
    on_private_item = _upload(auth_client, portfolio["id"], "Prvitemproofzqx", "public",
                              "projects", hidden)
    assert auth_client.patch(f"{API}/{portfolio['id']}", json={
        "profile": {"display_name": "Indirect Person", "photo_proof_id": photo},
        "theme": {"background_image_proof_id": background}}).status_code == 200
    hidden_markers = ["Prvprovenzqx", "Prvcertzqx", "Prvheadingzqx", "Prvphotozqx",
                      "Prvbackgroundzqx", "Prvitemproofzqx", photo, background, on_private_item,
                      hidden]
    token = _recruiter_token(auth_client, portfolio["id"])
    slug = portfolio["slug"]
    for path in (f"/p/{slug}", f"/p/{slug}.pdf", f"/api/v1/public/{slug}",
                 f"/r/{token}", f"/r/{token}.pdf", f"/api/v1/recruiter/{token}"):
        response = client.get(path)
        assert response.status_code == 200, path
        text = _text(response)
        # Lower case: the PDF sets headings in capitals.
        _assert_sees(text.lower(), ["shownprojzqx", "shownskillzqx", "shownheadingzqx"],
                     [marker.lower() for marker in hidden_markers])
        if response.mimetype == "text/html":
            assert re.search(r'class="proven-by">Proven by\s*<a href="#projects-' + shown, text)


# --- old slugs -------------------------------------------------------------------------------

def test_old_slug_redirects_permanently(client, auth_client, marked):
    portfolio, _ = marked
    old = portfolio["slug"]
    assert auth_client.patch(f"{API}/{portfolio['id']}", json={"slug": "new-address"}) \
        .status_code == 200
    for path, target in ((f"/p/{old}", "/p/new-address"), (f"/p/{old}.pdf", "/p/new-address.pdf"),
                         (f"/api/v1/public/{old}", "/api/v1/public/new-address")):
        response = client.get(path)
        assert response.status_code == 301, path
        assert response.headers["Location"].endswith(target)
    assert client.get("/p/new-address").status_code == 200


def test_old_slug_redirect_keeps_the_query_string_as_it_is(client, auth_client, marked):
    portfolio, _ = marked
    old = portfolio["slug"]
    auth_client.patch(f"{API}/{portfolio['id']}", json={"slug": "new-address"})
    for query in ("?slug=other", "?_method=POST", "?_anchor=x&utm_source=mail"):
        response = client.get(f"/p/{old}{query}")
        assert response.status_code == 301, query
        assert response.headers["Location"].endswith(f"/p/new-address{query}")


def test_old_slug_stops_redirecting_after_30_days_and_for_private(client, auth_client, marked):
    portfolio, _ = marked
    old = portfolio["slug"]
    auth_client.patch(f"{API}/{portfolio['id']}", json={"slug": "new-address"})
    auth_client.patch(f"{API}/{portfolio['id']}", json={"is_private": True})
    assert client.get(f"/p/{old}").status_code == 404
    auth_client.patch(f"{API}/{portfolio['id']}", json={"is_private": False})
    Portfolio.objects(id=portfolio["id"]).update(
        set__previous_slugs__0__changed_at=utcnow() - timedelta(days=31))
    assert client.get(f"/p/{old}").status_code == 404


# --- passwords -------------------------------------------------------------------------------

@pytest.fixture
def locked(auth_client, marked):
    portfolio, _ = marked
    response = auth_client.patch(f"{API}/{portfolio['id']}", json={"password": PASSWORD})
    assert response.status_code == 200
    return portfolio


def test_locked_portfolio_shows_the_form_and_401(client, locked):
    slug = locked["slug"]
    page = client.get(f"/p/{slug}")
    assert page.status_code == 401
    html = page.get_data(as_text=True)
    assert f'action="/p/{slug}/unlock"' in html and 'name="password"' in html
    _assert_sees(html, [], PUBLIC + RECRUITER + PRIVATE)
    assert client.get(f"/p/{slug}.pdf").status_code == 401
    response = client.get(f"/api/v1/public/{slug}")
    assert response.status_code == 401
    assert response.get_json()["code"] == 401 and "password" in response.get_json()["message"]


def test_wrong_password_redirects_back_with_an_error(client, locked):
    slug = locked["slug"]
    response = client.post(f"/p/{slug}/unlock", data={"password": "wrong one"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/p/{slug}?unlock=failed"
    assert "Set-Cookie" not in response.headers
    page = client.get(response.headers["Location"])
    assert page.status_code == 401 and "not correct" in page.get_data(as_text=True)


def test_unlock_cookie_opens_page_pdf_and_json(client, locked):
    slug = locked["slug"]
    response = client.post(f"/p/{slug}/unlock", data={"password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == f"/p/{slug}"
    cookies = response.headers.getlist("Set-Cookie")
    assert {re.search(r"Path=([^;]+)", cookie).group(1) for cookie in cookies} == \
        {f"/p/{slug}", f"/p/{slug}.pdf", f"/api/v1/public/{slug}"}
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=43200" in cookie
        # Opaque: neither the portfolio's id nor its password date can be read from it.
        value = re.search(r"vitrine_unlock=([^;]+)", cookie).group(1)
        compressed, value = value.startswith("."), value.lstrip(".")
        payload = value.split(".")[0]
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        decoded = zlib.decompress(decoded) if compressed else decoded
        assert re.fullmatch(rb'"[0-9a-f]{64}"', decoded), decoded  # a keyed digest, no more
    page = client.get(f"/p/{slug}")
    assert page.status_code == 200
    _assert_sees(page.get_data(as_text=True), PUBLIC, RECRUITER + PRIVATE)
    assert page.headers["Cache-Control"] == "private, no-store"
    assert client.get(f"/p/{slug}.pdf").status_code == 200
    assert client.get(f"/api/v1/public/{slug}").status_code == 200
    # The cookie belongs to this portfolio only: a stranger's client without it stays out.
    assert client.application.test_client().get(f"/p/{slug}").status_code == 401


def test_changing_or_removing_the_password_invalidates_unlocks(client, auth_client, locked):
    slug = locked["slug"]
    client.post(f"/p/{slug}/unlock", data={"password": PASSWORD})
    assert client.get(f"/p/{slug}").status_code == 200
    auth_client.patch(f"{API}/{locked['id']}", json={"password": "another secret"})
    assert client.get(f"/p/{slug}").status_code == 401
    client.post(f"/p/{slug}/unlock", data={"password": "another secret"})
    assert client.get(f"/p/{slug}").status_code == 200
    auth_client.patch(f"{API}/{locked['id']}", json={"password": None})
    assert client.get(f"/p/{slug}").status_code == 200  # no password: open to all
    auth_client.patch(f"{API}/{locked['id']}", json={"password": "another secret"})
    assert client.get(f"/p/{slug}").status_code == 401


def test_forged_or_expired_cookie_is_refused(make_app, client, locked):
    slug = locked["slug"]
    client.set_cookie("vitrine_unlock", "forged.value.here", path=f"/p/{slug}")
    assert client.get(f"/p/{slug}").status_code == 401
    client.post(f"/p/{slug}/unlock", data={"password": PASSWORD})
    short = make_app(PORTFOLIO_UNLOCK_HOURS=0).test_client()
    cookie = client.get_cookie("vitrine_unlock", path=f"/p/{slug}")
    short.set_cookie("vitrine_unlock", cookie.value, path=f"/p/{slug}")
    time.sleep(1.1)
    assert short.get(f"/p/{slug}").status_code == 401


def test_unlock_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_UNLOCK="3/minute")
    client = app.test_client()
    signup = client.post("/api/v1/auth/register", json={
        "email": "limit@example.com", "password": "correct horse battery staple",
        "full_name": "Rate Limit"}).get_json()
    headers = {"Authorization": f"Bearer {signup['access_token']}"}
    portfolio = client.post(f"{API}/", json={"title": "Limited", "is_private": False},
                            headers=headers).get_json()
    client.patch(f"{API}/{portfolio['id']}", json={"password": PASSWORD}, headers=headers)
    statuses = [client.post(f"/p/{portfolio['slug']}/unlock", data={"password": "nope"})
                .status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
    # Even the right password waits: that is what stops guessing.
    assert client.post(f"/p/{portfolio['slug']}/unlock",
                       data={"password": PASSWORD}).status_code == 429


def test_the_views_that_skip_the_rate_limiter_have_no_limit_to_skip(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    skipping = {endpoint for endpoint, view in app.view_functions.items()
                if getattr(view, "without_rate_limits", False)}
    assert skipping == {"public_pages.public_page", "public_pages.recruiter_page",
                        "public.public_view", "public.recruiter_view"}
    limits = limiter.limit_manager
    assert not limits.default_limits and not limits.application_limits
    for endpoint in skipping:
        assert not limits.decorated_limits(get_qualified_name(app.view_functions[endpoint]))
        assert not limits.blueprint_limits(app, endpoint.split(".")[0])


# --- escaping --------------------------------------------------------------------------------

PAYLOAD = "<script>alert('pwned')</script>"


@pytest.mark.parametrize("template", ["classic", "modern", "minimal"])
def test_script_payload_is_escaped_in_every_template(client, auth_client, portfolio_factory,
                                                     template):
    portfolio = portfolio_factory(title=f"Escape {PAYLOAD}", template=template)
    response = auth_client.patch(f"{API}/{portfolio['id']}", json={
        "description": PAYLOAD,
        "profile": {"display_name": PAYLOAD, "headline": PAYLOAD, "bio": PAYLOAD},
        "projects": [{"name": PAYLOAD, "summary": PAYLOAD, "technologies": [PAYLOAD]}],
        "experiences": [{"role": PAYLOAD, "achievements": [PAYLOAD]}],
        "skills": [{"name": PAYLOAD, "justification": PAYLOAD}],
    })
    assert response.status_code == 200
    token = _recruiter_token(auth_client, portfolio["id"])
    for path in (f"/p/{portfolio['slug']}", f"/r/{token}"):
        html = client.get(path).get_data(as_text=True)
        assert f'data-template="{template}"' in html or template in html
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(" in html


# --- PDF cache -------------------------------------------------------------------------------

@pytest.fixture
def render_calls(monkeypatch):
    calls = []
    real = rendering.render_portfolio_pdf

    def counting(view, **kwargs):
        calls.append(kwargs["audience"])
        return real(view, **kwargs)
    monkeypatch.setattr(rendering, "render_portfolio_pdf", counting)
    return calls


def test_repeat_download_is_served_from_the_cache(client, auth_client, marked, render_calls,
                                                  test_database):
    portfolio, _ = marked
    first = client.get(f"/p/{portfolio['slug']}.pdf").data
    second = client.get(f"/p/{portfolio['slug']}.pdf").data
    assert first == second and render_calls == ["public"]
    assert test_database["pdf_cache.files"].count_documents({}) == 1
    token = _recruiter_token(auth_client, portfolio["id"])
    client.get(f"/r/{token}.pdf")
    client.get(f"/r/{token}.pdf")
    assert render_calls == ["public", "recruiter"]
    # A new version renders again, and the old version's entries go.
    auth_client.patch(f"{API}/{portfolio['id']}", json={"title": "Changed title"})
    client.get(f"/p/{portfolio['slug']}.pdf")
    assert render_calls == ["public", "recruiter", "public"]
    versions = {entry["metadata"]["version"]
                for entry in test_database["pdf_cache.files"].find()}
    assert len(versions) == 1
    # Deleting the portfolio drops its cached PDFs.
    auth_client.delete(f"{API}/{portfolio['id']}")
    assert test_database["pdf_cache.files"].count_documents({}) == 0
    assert test_database["pdf_cache.chunks"].count_documents({}) == 0


def test_pdf_cache_is_bounded(make_app, test_database):
    app = make_app(PDF_CACHE_MAX_ENTRIES=2)
    client = app.test_client()
    signup = client.post("/api/v1/auth/register", json={
        "email": "cache@example.com", "password": "correct horse battery staple",
        "full_name": "Cache Bound"}).get_json()
    headers = {"Authorization": f"Bearer {signup['access_token']}"}
    created = [client.post(f"{API}/", json={"title": f"Bounded {n}", "is_private": False},
                           headers=headers).get_json() for n in range(3)]
    for portfolio in created:
        assert client.get(f"/p/{portfolio['slug']}.pdf").status_code == 200
    cached = {entry["filename"].split("/")[0] for entry in test_database["pdf_cache.files"].find()}
    assert cached == {created[1]["id"], created[2]["id"]}  # the oldest was evicted


def _pdf_links(data):
    """The URIs of the link annotations of a PDF."""
    return [annotation.get_object()["/A"]["/URI"]
            for page in PdfReader(io.BytesIO(data)).pages
            for annotation in page.get("/Annots") or ()
            if "/A" in annotation.get_object() and "/URI" in annotation.get_object()["/A"]]


def _upload_document(auth_client, portfolio_id, title, visibility):
    from .test_proofs import pdf_bytes
    data = {"file": (io.BytesIO(pdf_bytes()), "scan.pdf"), "item_type": "profile",
            "title": title, "visibility": visibility}
    response = auth_client.post(f"{API}/{portfolio_id}/proofs/", data=data,
                                content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_pdfs_link_the_documents_each_audience_may_open(client, auth_client, marked):
    portfolio, _ = marked
    public_doc = _upload_document(auth_client, portfolio["id"], "Diploma scan", "public")
    recruiter_doc = _upload_document(auth_client, portfolio["id"], "Reference letter",
                                     "recruiter")
    public_links = _pdf_links(client.get(f"/p/{portfolio['slug']}.pdf").data)
    assert public_links == [f"http://localhost/p/{portfolio['slug']}/proofs/{public_doc}"]

    token = _recruiter_token(auth_client, portfolio["id"])
    recruiter_pdf = client.get(f"/r/{token}.pdf").data
    links = _pdf_links(recruiter_pdf)
    assert len(links) == 2 and all("/r/files/" in link for link in links)
    # The PDF is cached in the database: it must not hold the link's token.
    assert token.encode() not in recruiter_pdf
    assert all(token not in link for link in links)
    opened = [client.get(link.removeprefix("http://localhost")) for link in links]
    assert [response.status_code for response in opened] == [200, 200]
    assert opened[0].data.startswith(b"%PDF")

    forged = client.get(links[0].removeprefix("http://localhost")[:-3] + "abc")
    assert forged.status_code == 404
    RecruiterLink.objects(portfolio=portfolio["id"]).update(set__revoked_at=utcnow())
    assert client.get(links[1].removeprefix("http://localhost")).status_code == 410


def test_production_needs_its_public_address():
    from app import create_app
    from config import Config

    class Production(Config):
        APP_ENV = "production"
        SECRET_KEY = JWT_SECRET_KEY = "x" * 40
        PUBLIC_BASE_URL = ""
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app(Production)


def test_a_host_not_configured_is_refused(make_app, portfolio_factory):
    slug = portfolio_factory()["slug"]
    app = make_app(PUBLIC_BASE_URL="https://vitrine.example.com",
                   TRUSTED_HOSTS=["vitrine.example.com"])
    client = app.test_client()
    for path in (f"/p/{slug}", f"/p/{slug}.pdf", f"/api/v1/public/{slug}"):
        assert client.get(path, headers={"Host": "evil.example"}).status_code == 400, path
    page = client.get(f"/p/{slug}", headers={"Host": "vitrine.example.com"})
    assert page.status_code == 200
    assert f'href="https://vitrine.example.com/p/{slug}"' in page.get_data(as_text=True)


def test_the_pdf_cache_is_not_keyed_on_the_host(client, portfolio_factory, test_database):
    slug = portfolio_factory()["slug"]
    for host in ("a.example", "b.example", "c.example"):
        assert client.get(f"/p/{slug}.pdf", headers={"Host": host}).status_code == 200
    assert test_database["pdf_cache.files"].count_documents({}) == 1
