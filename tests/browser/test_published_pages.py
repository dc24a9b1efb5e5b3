"""The published pages under their Content-Security-Policy in a real browser: nothing is blocked
(the page fixture fails the test on any CSP violation or console error)."""
import io

from playwright.sync_api import expect
from PIL import Image

from app.demo_content import demo_portfolio_content

from .helpers import call_api, cookie, create_portfolio


def upload_background(page, portfolio_id):
    image = io.BytesIO()
    Image.new("RGB", (64, 32), "#1f4e79").save(image, "PNG")
    response = page.request.post(
        f"/api/v1/portfolios/{portfolio_id}/proofs",
        headers={"X-CSRF-TOKEN": cookie(page, "csrf_access_token")["value"]},
        multipart={"file": {"name": "sky.png", "mimeType": "image/png",
                            "buffer": image.getvalue()},
                   "item_type": "profile", "visibility": "public", "title": "Sky"})
    assert response.ok, response.text()
    return response.json()["id"]


def test_a_styled_published_page_renders_under_its_policy(signed_in):
    page = signed_in
    portfolio = create_portfolio(page, "Shown", is_private=False, template="modern")
    content = demo_portfolio_content()
    content["layout"]["sections"][0]["style"] = {"background_color": "#102030"}
    content["theme"] = {"background_image_proof_id": upload_background(page, portfolio["id"])}
    call_api(page, "PATCH", f"/portfolios/{portfolio['id']}", content)
    page.context.clear_cookies()

    page.goto(f"/p/{portfolio['slug']}")
    masthead = page.locator("header.masthead")
    expect(masthead).to_have_class("masthead has-image")
    assert "url(" in masthead.evaluate("element => getComputedStyle(element).backgroundImage")
    styled = page.locator(f"#section-{content['layout']['sections'][0]['section']}")
    assert styled.evaluate(
        "element => getComputedStyle(element).getPropertyValue('--section-background')"
    ).strip() == "#102030"
