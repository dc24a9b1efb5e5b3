"""The dashboard: a card per portfolio, creating, duplicating and deleting portfolios."""
import re

from playwright.sync_api import expect

from .helpers import call_api, create_portfolio


def card(page, title):
    return page.locator(".portfolio-card").filter(
        has=page.get_by_role("heading", name=title, exact=True))


def test_new_portfolio_opens_the_editor(signed_in):
    page = signed_in
    page.goto("/app")
    expect(page.get_by_role("heading", name="Create your first portfolio")).to_be_visible()
    page.get_by_role("button", name="New portfolio").click()
    dialog = page.get_by_role("dialog", name="New portfolio")
    dialog.get_by_role("button", name="Create portfolio").click()
    expect(dialog.locator(".field-error")).to_have_text("Give your portfolio a title.")
    dialog.get_by_label("Title").fill("Job hunt 2026")
    dialog.get_by_label("Modern").check()
    dialog.get_by_role("button", name="Create portfolio").click()
    expect(page).to_have_url(re.compile(r"/app/portfolios/[0-9a-f]{24}$"))
    expect(page.get_by_role("heading", name="Job hunt 2026")).to_be_visible()
    portfolio_id = page.url.rsplit("/", 1)[1]
    assert call_api(page, "GET", f"/portfolios/{portfolio_id}")["template"] == "modern"


def test_cards_show_state_last_edit_views_and_actions(signed_in):
    page = signed_in
    create_portfolio(page, "Draft one")
    published = create_portfolio(page, "Public one", is_private=False)
    call_api(page, "PATCH", f"/portfolios/{published['id']}", {"password": "a shared secret 42"})
    page.goto("/app")

    draft = card(page, "Draft one")
    expect(draft.locator("[data-field=state]")).to_have_text("Draft")
    expect(draft.get_by_text("Password")).to_be_hidden()
    expect(draft.get_by_role("link", name=re.compile("^View page"))).to_have_count(0)
    expect(draft.locator("[data-field=updated]")).to_have_text("just now")
    expect(draft.locator("[data-field=views]")).to_have_text("0")

    public = card(page, "Public one")
    expect(public.locator("[data-field=state]")).to_have_text("Published")
    expect(public.get_by_text("Password")).to_be_visible()
    view = public.get_by_role("link", name="View page “Public one” (opens in a new tab)")
    expect(view).to_have_attribute("href", f"/p/{published['slug']}")
    expect(public.get_by_role("link", name="Edit “Public one”")).to_have_attribute(
        "href", f"/app/portfolios/{published['id']}")


def test_duplicate(signed_in):
    page = signed_in
    create_portfolio(page, "Original")
    page.goto("/app")
    card(page, "Original").get_by_role("button", name="Duplicate “Original”").click()
    expect(page.locator(".portfolio-card")).to_have_count(2)
    expect(page.get_by_role("status").filter(has_text="duplicated")).to_be_visible()


def test_delete_asks_first(signed_in):
    page = signed_in
    create_portfolio(page, "Keep me")
    create_portfolio(page, "Remove me")
    page.goto("/app")
    delete = card(page, "Remove me").get_by_role("button", name="Delete “Remove me”")

    delete.click()
    confirm = page.get_by_role("dialog", name="Delete “Remove me”?")
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    expect(page.locator(".portfolio-card")).to_have_count(2)

    delete.click()
    confirm.get_by_role("button", name="Delete portfolio").click()
    expect(card(page, "Remove me")).to_have_count(0)
    expect(page.locator("#toasts")).to_contain_text("“Remove me” deleted.")
    assert [p["title"] for p in call_api(page, "GET", "/portfolios")["data"]] == ["Keep me"]


def test_pages_fit_a_phone_screen(signed_in):
    page = signed_in
    page.set_viewport_size({"width": 390, "height": 844})
    create_portfolio(page, "A portfolio with a rather long title to wrap on a phone screen")
    for path in ("/app", "/app/account"):
        page.goto(path)
        expect(page.locator("#current-user")).to_have_text(page.account.full_name)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    page.context.clear_cookies()
    for path in ("/", "/signin", "/signup"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
