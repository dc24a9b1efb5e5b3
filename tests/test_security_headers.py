"""The hardening headers of every HTML page, set in one place (app/web/security_headers.py)."""
import io
import re

import pytest
from flask import make_response
from PIL import Image

from app.web.security_headers import allow_same_origin_framing

API = "/api/v1/portfolios"
PASSWORD = "open sesame, please"


def policy(response):
    """The CSP header as {directive: value}."""
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def assert_hardened_page(response, referrer="strict-origin-when-cross-origin"):
    assert response.mimetype == "text/html"
    directives = policy(response)
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["img-src"] == "'self' data: blob:"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == referrer
    assert "camera=()" in response.headers["Permissions-Policy"]
    html = response.get_data(as_text=True)
    # Nothing the policy would block: no inline script or handler, no style attribute, and
    # every <style> element carries this response's nonce.
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert not re.search(r"\sstyle=", html)
    nonces = set(re.findall(r"<style nonce=\"([^\"]+)\">", html))
    assert html.count("<style") == len(re.findall(r"<style nonce=", html))
    assert directives["style-src"] == " ".join(
        ["'self'", *(f"'nonce-{nonce}'" for nonce in nonces)])
    assert len(nonces) <= 1


@pytest.fixture
def published(auth_client, portfolio_factory):
    """A published portfolio with the demo content, a styled section and a background image."""
    portfolio = portfolio_factory(full=True, is_private=False)
    image = io.BytesIO()
    Image.new("RGB", (32, 32), "#2a9d8f").save(image, "PNG")
    image.seek(0)
    proof = auth_client.post(f"{API}/{portfolio['id']}/proofs/", content_type="multipart/form-data",
                             data={"file": (image, "sky.png"), "item_type": "profile",
                                   "visibility": "public", "title": "Sky"}).get_json()
    layout = {"sections": [{"section": "diplomas",
                            "style": {"background_color": "#102030"}}]}
    response = auth_client.patch(f"{API}/{portfolio['id']}", json={
        "layout": layout, "theme": {"background_image_proof_id": proof["id"]}})
    assert response.status_code == 200, response.get_json()
    return {**response.get_json(), "proof_id": proof["id"]}


def test_published_page(client, published):
    response = client.get(f"/p/{published['slug']}")
    assert response.status_code == 200
    assert_hardened_page(response)
    html = response.get_data(as_text=True)
    # The background image and the section's colours moved from style attributes to <style>.
    assert re.search(r'\.masthead\.has-image \{ --masthead-image: url\("/p/[^"]+/proofs/'
                     + published["proof_id"] + r'"\); \}', html)
    assert re.search(r"#section-diplomas \{ [^}]*--section-background: #102030;", html)


def test_each_rendering_has_its_own_nonce_and_a_cached_page_keeps_the_one_it_was_built_with(
        client, auth_client, published):
    """A page built once per version is served with the nonce it was rendered with (its
    content is fixed for its cache key, so nothing later written can carry that nonce, and a
    304 keeps the browser's stored copy and its policy in step); a new version is a new
    rendering with a new nonce."""
    def page():
        response = client.get(f"/p/{published['slug']}")
        nonce = policy(response)["style-src"].split("'nonce-")[1].rstrip("'")
        assert f'nonce="{nonce}"' in response.get_data(as_text=True)
        return nonce

    first, again = page(), page()
    auth_client.patch(f"{API}/{published['id']}", json={"description": "A new version"})
    assert first == again != page()


def test_recruiter_page_keeps_its_stricter_referrer_policy(client, auth_client, published):
    link = auth_client.post(f"{API}/{published['id']}/recruiter-links/",
                            json={"label": "Acme"}).get_json()
    response = client.get(f"/r/{link['token']}")
    assert response.status_code == 200
    assert_hardened_page(response, referrer="no-referrer")
    auth_client.delete(f"{API}/{published['id']}/recruiter-links/{link['id']}")
    gone = client.get(f"/r/{link['token']}")
    assert gone.status_code == 410
    assert_hardened_page(gone, referrer="no-referrer")


def test_password_page(client, auth_client, published):
    auth_client.patch(f"{API}/{published['id']}", json={"password": PASSWORD})
    response = client.get(f"/p/{published['slug']}")
    assert response.status_code == 401
    assert_hardened_page(response, referrer="no-referrer")


def test_html_error_page(client):
    response = client.get("/p/no-such-portfolio")
    assert response.status_code == 404
    assert_hardened_page(response)


def test_json_and_files_keep_their_own_headers(client, published):
    json_response = client.get(f"/api/v1/public/{published['slug']}")
    assert json_response.status_code == 200
    assert "Content-Security-Policy" not in json_response.headers
    assert json_response.headers["X-Content-Type-Options"] == "nosniff"
    image = client.get(f"/p/{published['slug']}/proofs/{published['proof_id']}")
    assert image.status_code == 200 and image.mimetype.startswith("image/")
    assert image.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "X-Frame-Options" not in image.headers
    pdf = client.get(f"/p/{published['slug']}.pdf")
    assert pdf.mimetype == "application/pdf" and "Content-Security-Policy" not in pdf.headers


def test_api_docs_page_gets_the_pages_headers(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert policy(response)["script-src"] == "'self'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_page_can_allow_framing_by_this_origin(app):
    @app.get("/framed-for-test")
    def framed():
        return allow_same_origin_framing(make_response("<p>preview</p>"))

    response = app.test_client().get("/framed-for-test")
    assert policy(response)["frame-ancestors"] == "'self'"
    assert policy(response)["script-src"] == "'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["Permissions-Policy"]
