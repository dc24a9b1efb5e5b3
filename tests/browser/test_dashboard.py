"""The dashboard: a card per portfolio, creating, importing, duplicating and deleting
portfolios."""
import json
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


# A small JSON Resume document, as a person would export it from another site.
JSON_RESUME = {
    "basics": {"name": "Grace Hopper", "label": "Computer scientist",
               "email": "grace@example.com", "summary": "I taught computers English."},
    "work": [{"name": "Eckert–Mauchly", "position": "Senior mathematician",
              "startDate": "1949-06", "highlights": ["FLOW-MATIC"]},
             {"name": "US Navy", "position": "Programmer", "startDate": "1943-12"}],
    "languages": [{"language": "English", "fluency": "Native speaker"}],
    "skills": [{"name": "COBOL", "keywords": ["compilers"]}],
}


def json_file(document, name="resume.json"):
    return {"name": name, "mimeType": "application/json",
            "buffer": json.dumps(document).encode()}


def open_import(page):
    page.goto("/app")
    page.get_by_role("button", name="Import a CV").click()
    dialog = page.get_by_role("dialog", name="Import a CV")
    expect(dialog).to_contain_text("Get a copy of your data")
    return dialog


def test_import_a_json_resume_file_and_open_it(signed_in):
    page = signed_in
    dialog = open_import(page)
    dialog.get_by_label("Choose a file").set_input_files(json_file(JSON_RESUME))

    title = dialog.get_by_role("heading", name=re.compile("is ready$"))
    expect(title).to_be_focused()
    expect(dialog).to_contain_text("Imported from a JSON Resume file")
    counts = dialog.locator("[data-field=counts] li").all_inner_texts()
    assert {"2 experiences", "1 language", "1 skill"} <= set(counts), counts
    [portfolio] = call_api(page, "GET", "/portfolios")["data"]
    assert portfolio["is_private"] is True
    expect(card(page, portfolio["title"])).to_have_count(1)

    dialog.get_by_role("link", name="Open in the editor").click()
    expect(page).to_have_url(re.compile(f"/app/portfolios/{portfolio['id']}$"))
    expect(page.locator("#save-status")).to_have_text("Saved")
    languages = page.locator("section[aria-labelledby='section-languages']")
    expect(languages.locator(".item-name")).to_have_text(["English"])


def dropped_files(page, document):
    return page.evaluate_handle("""text => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], "resume.json", { type: "application/json" }));
        return transfer;
    }""", json.dumps(document))


def test_import_a_dropped_file(signed_in):
    page = signed_in
    dialog = open_import(page)
    files = dropped_files(page, JSON_RESUME)
    drop = dialog.locator("#import-drop")
    drop.dispatch_event("dragover", {"dataTransfer": files})
    expect(drop).to_have_class(re.compile(r"\bis-dragging\b"))
    drop.dispatch_event("drop", {"dataTransfer": files})
    expect(dialog.get_by_role("heading", name=re.compile("is ready$"))).to_be_visible()
    expect(page.locator(".portfolio-card")).to_have_count(1)

    # A file dropped on the summary is the next import, not ignored.
    dialog.dispatch_event("drop", {"dataTransfer": dropped_files(
        page, {"basics": {"name": "Ada Lovelace"}})})
    expect(dialog.get_by_role("heading", name="“Ada Lovelace” is ready")).to_be_visible()
    expect(page.locator(".portfolio-card")).to_have_count(2)


def test_import_refusals_are_shown_in_the_dialog_and_create_nothing(signed_in):
    page = signed_in
    dialog = open_import(page)
    choose = dialog.get_by_label("Choose a file")
    broken = {**JSON_RESUME, "work": [{"name": "US Navy", "startDate": "during the war"}]}
    choose.set_input_files(json_file(broken))
    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text("work[0].startDate")
    expect(choose).to_be_focused()

    choose.set_input_files({"name": "notes.txt", "mimeType": "text/plain",
                            "buffer": b"Just some notes, not a CV."})
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("this file is neither")
    assert call_api(page, "GET", "/portfolios")["data"] == []
    expect(page.locator(".portfolio-card")).to_have_count(0)

    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


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
