"""The editor's design pane, publish and history panels, the stats page and the notification
bell, driven as a person would; what they store is checked through the API, what visitors see
through the public and recruiter pages.

Visits are made from a separate browser context with an ordinary browser's User-Agent: the test
browser's own ("HeadlessChrome") is never counted, like the owner's."""
import io
import json
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect

from .helpers import call_api, create_portfolio

BROWSER_USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/130.0.0.0 Safari/537.36")


def open_editor(page, portfolio):
    page.goto(f"/app/portfolios/{portfolio['id']}")
    expect(page.locator("#save-status")).to_have_text("Saved")
    # The panels bring their own HTML: wait until they are there.
    expect(page.get_by_role("button", name="Share")).to_be_visible()


def stored(page, portfolio):
    return call_api(page, "GET", f"/portfolios/{portfolio['id']}")


def saved(page):
    expect(page.locator("#save-status")).to_have_text("Saved")


def design(page):
    return page.locator("#design-pane")


def visit(browser, live_server, path, status=200):
    """`path` opened by an ordinary visitor (a browser of their own); returns the page's text."""
    context = browser.new_context(base_url=live_server.url, user_agent=BROWSER_USER_AGENT)
    try:
        response = context.request.get(path)
        assert response.status == status, (path, response.status)
        return response.text()
    finally:
        context.close()


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "#3444c4").save(buffer, "PNG")
    return buffer.getvalue()


def test_template_colours_and_fonts_are_saved_and_shown(signed_in, browser, live_server):
    page = signed_in
    portfolio = create_portfolio(page, "Ada Lovelace", is_private=False)
    open_editor(page, portfolio)
    pane = design(page)

    pane.get_by_role("radio", name="Minimal").check()
    pane.get_by_label("Primary").fill("#aa0000")
    pane.get_by_label("Heading font").select_option(label="Monospace")
    saved(page)
    theme = stored(page, portfolio)["theme"]
    assert stored(page, portfolio)["template"] == "minimal"
    assert theme["primary_color"] == "#aa0000" and theme["heading_font"] == "mono"
    expect(page.frame_locator("#preview-frame").locator("body")).to_have_class(
        re.compile(r"\btemplate-minimal\b"))
    public_page = visit(browser, live_server, f"/p/{portfolio['slug']}")
    assert "template-minimal" in public_page and "#aa0000" in public_page

    # Text too light on the background: said in words, with the ratio.
    pane.get_by_label("Text", exact=True).fill("#dddddd")
    expect(pane.locator(".contrast-low")).to_contain_text("Text on the background: contrast")
    pane.get_by_role("button", name="Use the template’s colours and fonts").click()
    expect(pane.locator(".contrast-low")).to_have_count(0)
    saved(page)
    assert stored(page, portfolio)["theme"] == {}


def test_layout_by_keyboard_drag_and_hide(signed_in):
    page = signed_in
    portfolio = create_portfolio(page, "Layout")
    open_editor(page, portfolio)
    pane = design(page)
    # Every section is listed under its default heading, those JSON Resume brought too.
    names = pane.locator(".layout-section-name").all_inner_texts()
    assert {"Languages", "Volunteering", "Awards", "Publications", "Interests",
            "References"} <= set(names), names
    pane.get_by_role("radio", name="Two").check()

    def layout():
        saved(page)
        return stored(page, portfolio)["layout"]

    assert layout()["columns"] == 2
    down = pane.get_by_role("button", name="Down (About)")
    down.focus()
    page.keyboard.press("Enter")
    expect(down).to_be_focused()
    assert [entry["section"] for entry in layout()["sections"]][:2] == ["experiences", "profile"]
    expect(pane.locator("[data-field=layout-status]")).to_have_text(
        "About: position 2 of 9 of the main column.")

    pane.get_by_role("button", name="To side (Projects)").click()
    entries = {entry["section"]: entry for entry in layout()["sections"]}
    assert entries["projects"]["column"] == "side"

    # The end of the main column and the start of the side column in the middle of the pane
    # (it scrolls on its own), then a drag as a mouse does it.
    page.set_viewport_size({"width": 1280, "height": 1100})
    pane.locator("#design-side-column-title").evaluate(
        "title => title.scrollIntoView({block: 'center'})")
    source = pane.locator(".layout-section[data-section=skills] .drag-handle").bounding_box()
    target = pane.locator(".layout-section[data-section=proofs]").bounding_box()
    start_x, start_y = source["x"] + source["width"] / 2, source["y"] + source["height"] / 2
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    # SortableJS starts its drag a moment after the first move, and places the row on the
    # moves that follow: a few steps, a pause, then a last move over the drop place.
    page.mouse.move(start_x, start_y - 10, steps=3)
    page.wait_for_timeout(100)
    page.mouse.move(target["x"] + 20, target["y"] + target["height"] / 2, steps=20)
    page.wait_for_timeout(100)
    page.mouse.move(target["x"] + 24, target["y"] + target["height"] / 2 - 2, steps=2)
    page.mouse.up()
    entries = {entry["section"]: entry for entry in layout()["sections"]}
    assert entries["skills"]["column"] == "main"

    pane.get_by_role("button", name="Hide (Education)").click()
    expect(pane.get_by_role("button", name="Show (Education)")).to_be_visible()
    entries = {entry["section"]: entry for entry in layout()["sections"]}
    assert entries["diplomas"]["hidden"] is True


def test_background_image_upload_and_remove(signed_in):
    page = signed_in
    portfolio = create_portfolio(page, "Backdrop")
    open_editor(page, portfolio)
    pane = design(page)
    pane.get_by_label("Upload an image").set_input_files(
        {"name": "sunset.png", "mimeType": "image/png", "buffer": png_bytes()})
    expect(pane.get_by_role("button", name="sunset")).to_have_attribute("aria-pressed", "true")
    saved(page)
    theme = stored(page, portfolio)["theme"]
    proof = next(proof for proof in stored(page, portfolio)["proofs"]
                 if proof["id"] == theme["background_image_proof_id"])
    assert proof["visibility"] == "public"
    pane.get_by_role("button", name="Remove the background image").click()
    saved(page)
    assert "background_image_proof_id" not in stored(page, portfolio)["theme"]


def test_publish_change_the_address_and_open_the_page(signed_in, browser, live_server):
    page = signed_in
    create_portfolio(page, "Someone else", slug="already-taken")
    portfolio = create_portfolio(page, "Ada Lovelace")
    open_editor(page, portfolio)
    visit(browser, live_server, f"/p/{portfolio['slug']}", status=404)

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("button", name="Unpublish")).to_be_visible()
    assert stored(page, portfolio)["is_private"] is False
    assert "Ada Lovelace" in visit(browser, live_server, f"/p/{portfolio['slug']}")

    page.get_by_role("button", name="Share").click()
    sheet = page.get_by_role("dialog", name="Publish and share")
    address = sheet.get_by_label("Address of your page")
    address.fill("already-taken")
    expect(sheet.locator("#publish-slug-check")).to_have_text("Already taken.")
    address.fill("Not An Address")
    expect(sheet.locator("#publish-slug-check")).to_have_text(
        "3 to 60 lowercase letters, digits and hyphens.")
    address.fill("ada-lovelace-cv")
    expect(sheet.locator("#publish-slug-check")).to_have_text("This address is available.")
    sheet.get_by_role("button", name="Change address").click()
    expect(sheet.get_by_label("Link to your page")).to_have_value(
        f"{live_server.url}/p/ada-lovelace-cv")
    assert "Ada Lovelace" in visit(browser, live_server, "/p/ada-lovelace-cv")
    with page.expect_download() as pdf:
        sheet.get_by_role("button", name="Download PDF").click()
    assert pdf.value.suggested_filename.endswith(".pdf")

    sheet.get_by_label("Password protection").check()
    sheet.get_by_role("textbox", name="Password", exact=True).fill("open sesame")
    sheet.get_by_role("button", name="Save password").click()
    expect(sheet.get_by_label("New password")).to_be_visible()
    assert stored(page, portfolio)["has_password"] is True
    visit(browser, live_server, "/p/ada-lovelace-cv", status=401)


def test_downloads_for_the_audience_chosen(signed_in):
    page = signed_in
    portfolio = create_portfolio(page, "Exports", slug="ada-exports")
    call_api(page, "PATCH", f"/portfolios/{portfolio['id']}", {
        "profile": {"display_name": "Ada Lovelace"},
        "languages": [{"name": "French", "fluency": "C1"}],
        "references": [{"name": "Charles Babbage", "reference": "A fine analyst."}]})
    open_editor(page, portfolio)
    page.get_by_role("button", name="Share").click()
    sheet = page.get_by_role("dialog", name="Publish and share")

    def download(button):
        with page.expect_download() as started:
            sheet.get_by_role("button", name=button).click()
        return started.value

    assert download("Download PDF").suggested_filename.endswith(".pdf")
    expect(sheet.get_by_role("radio", name="You: everything")).to_be_checked()
    word = download("Download Word (.docx)")
    assert word.suggested_filename == "ada-exports.docx"
    assert Path(word.path()).read_bytes()[:2] == b"PK"  # a DOCX is a ZIP
    owner = download("Download JSON Resume (.json)")
    assert owner.suggested_filename == "ada-exports.json"
    document = json.loads(Path(owner.path()).read_text(encoding="utf-8"))
    assert document["basics"]["name"] == "Ada Lovelace"
    assert [language["language"] for language in document["languages"]] == ["French"]
    assert [reference["name"] for reference in document["references"]] == ["Charles Babbage"]

    # References are private: a recruiter's file leaves them out.
    sheet.get_by_text("Recruiters", exact=True).click()
    recruiter = json.loads(Path(download("Download JSON Resume (.json)").path()).read_text(
        encoding="utf-8"))
    assert [language["language"] for language in recruiter["languages"]] == ["French"]
    assert not recruiter.get("references")


def test_recruiter_link_shown_once_then_revoked(signed_in, browser, live_server):
    page = signed_in
    portfolio = create_portfolio(page, "Ada Lovelace")
    open_editor(page, portfolio)
    page.get_by_role("button", name="Share").click()
    sheet = page.get_by_role("dialog", name="Publish and share")
    sheet.get_by_label("Label").fill("ACME data team")
    sheet.get_by_label("Expires after (days)").fill("7")
    sheet.get_by_role("button", name="Create link").click()

    created = sheet.get_by_label("New recruiter link")
    expect(created).to_be_focused()
    expect(sheet.locator("[data-field=created]")).to_contain_text("You will not see it again")
    url = created.input_value()
    assert url.startswith(f"{live_server.url}/r/")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sheet.get_by_role("button", name="Copy", exact=True).click()
    expect(page.locator("#toasts")).to_contain_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == url
    token_path = url.removeprefix(live_server.url)
    # A draft, yet the link opens it: the link is the owner's permission.
    assert "Ada Lovelace" in visit(browser, live_server, token_path)

    sheet.get_by_role("button", name="I have copied it").click()
    expect(created).to_be_hidden()
    row = sheet.locator(".link-row").filter(has_text="ACME data team")
    expect(row).to_contain_text("Active")
    sheet.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Share").click()   # the list is read again on opening
    expect(row).to_contain_text("1 view · last opened")

    row.get_by_role("button", name="Revoke “ACME data team”").click()
    confirm = page.get_by_role("dialog", name="Revoke “ACME data team”?")
    confirm.get_by_role("button", name="Revoke link").click()
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("button", name=re.compile("^Revoke"))).to_be_hidden()
    visit(browser, live_server, token_path, status=410)


def test_stats_page_shows_a_visit(signed_in, browser, live_server):
    page = signed_in
    portfolio = create_portfolio(page, "Ada Lovelace", is_private=False)
    page.goto(f"/app/portfolios/{portfolio['id']}/stats")
    expect(page.get_by_role("heading", name="No visits yet")).to_be_visible()

    visit(browser, live_server, f"/p/{portfolio['slug']}")
    page.get_by_role("radio", name="7 days").check()
    expect(page).to_have_url(re.compile(r"\?days=7$"))
    cards = page.locator(".stat-card")
    expect(cards.filter(has_text="Page views").locator(".stat-value")).to_have_text("1")
    expect(cards.filter(has_text="Unique visitors").locator(".stat-value")).to_have_text("1")
    expect(page.locator("#stats-chart canvas")).to_be_visible()
    page.get_by_text("Show the numbers as a table").click()
    expect(page.locator("#stats-days tr")).to_have_count(7)
    expect(page.locator("#stats-days tr").last.locator("td").first).to_have_text("1")
    sources = page.locator("[data-breakdown=by_source] tbody tr")
    expect(sources).to_have_count(1)
    expect(sources.first).to_contain_text("Public page")


def test_restore_a_version_and_the_trash(signed_in):
    page = signed_in
    portfolio = create_portfolio(page, "History")
    path = f"/portfolios/{portfolio['id']}"
    call_api(page, "PATCH", path, {"projects": [{"name": "Difference engine"},
                                                {"name": "Analytical engine"}]})
    projects = stored(page, portfolio)["projects"]
    for project in projects:
        page.request.post(f"/api/v1{path}/proofs", headers={
            "X-CSRF-TOKEN": next(c["value"] for c in page.context.cookies()
                                 if c["name"] == "csrf_access_token")},
            multipart={"file": {"name": f"{project['name']}.png", "mimeType": "image/png",
                                "buffer": png_bytes()},
                       "item_type": "projects", "item_id": project["id"]})
    proofs = stored(page, portfolio)["proofs"]
    # One proof deleted by hand, then every project removed: both proofs go to the trash.
    call_api(page, "DELETE", f"{path}/proofs/{proofs[0]['id']}")
    call_api(page, "PATCH", path, {"projects": []})

    open_editor(page, portfolio)
    page.get_by_role("button", name="History").click()
    sheet = page.get_by_role("dialog", name="History")
    kept = sheet.locator(".version-row").filter(has_text="Kept before removing items from projects")
    kept.get_by_role("button", name=re.compile("^Preview")).click()
    preview = sheet.locator("[data-field=version-preview]")
    expect(preview).to_contain_text("Difference engine")
    expect(preview.locator("li").filter(has_text="Analytical engine")).to_contain_text(
        "deleted since")

    trash = sheet.locator(".trash-row")
    expect(trash).to_have_count(2)
    # Its project is gone: restoring the file alone is refused, and the row says why.
    hand_deleted = trash.filter(has_text="Difference engine.png")
    hand_deleted.get_by_role("button", name=re.compile("^Restore")).click()
    expect(hand_deleted.get_by_role("alert")).to_contain_text("restore a version")

    preview.get_by_role("button", name=re.compile(r"^Restore version \d+$")).click()
    page.get_by_role("dialog", name=re.compile("^Restore version")).get_by_role(
        "button", name=re.compile("^Restore version")).click()
    expect(page.locator("#toasts")).to_contain_text("restored")
    saved(page)
    assert [project["name"] for project in stored(page, portfolio)["projects"]] == [
        "Difference engine", "Analytical engine"]
    # The restore brought back the proof of the removed item; the hand-deleted one waits.
    expect(trash).to_have_count(1)
    hand_deleted.get_by_role("button", name=re.compile("^Restore")).click()
    expect(trash).to_have_count(0)
    assert len(stored(page, portfolio)["proofs"]) == 2


def test_delete_a_trashed_file_forever(signed_in):
    page = signed_in
    portfolio = create_portfolio(page, "Trash")
    path = f"/portfolios/{portfolio['id']}"
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrf_access_token")
    proof = page.request.post(f"/api/v1{path}/proofs", headers={"X-CSRF-TOKEN": csrf}, multipart={
        "file": {"name": "old.png", "mimeType": "image/png", "buffer": png_bytes()},
        "item_type": "profile"}).json()
    call_api(page, "DELETE", f"{path}/proofs/{proof['id']}")
    open_editor(page, portfolio)
    page.get_by_role("button", name="History").click()
    sheet = page.get_by_role("dialog", name="History")
    sheet.get_by_role("button", name=re.compile("^Delete forever")).click()
    page.get_by_role("dialog", name=re.compile("^Delete “.+” forever\\?$")).get_by_role(
        "button", name="Delete forever").click()
    expect(sheet.get_by_text("No deleted file.")).to_be_visible()
    assert call_api(page, "GET", f"{path}/proofs/trash")["data"] == []


def test_bell_shows_an_opened_recruiter_link_and_marks_it_read(signed_in, browser, live_server):
    page = signed_in
    portfolio = create_portfolio(page, "Ada Lovelace")
    link = call_api(page, "POST", f"/portfolios/{portfolio['id']}/recruiter-links",
                    {"label": "ACME"})
    visit(browser, live_server, link["url"].removeprefix(live_server.url))

    page.goto("/app")
    bell = page.locator("#notification-bell .bell-button")
    expect(bell).to_have_accessible_name("Notifications 1 unread")
    expect(bell).to_have_attribute("aria-expanded", "false")
    bell.focus()
    page.keyboard.press("Enter")
    expect(bell).to_have_attribute("aria-expanded", "true")
    popover = page.locator("#bell-popover")
    expect(popover).to_contain_text("Your recruiter link “ACME” was opened for the first time.")
    popover.get_by_role("button", name=re.compile("^Mark as read")).click()
    expect(bell).to_have_accessible_name("Notifications")
    assert call_api(page, "GET", "/notifications")["data"][0]["read"] is True
    page.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    expect(bell).to_have_attribute("aria-expanded", "false")


def test_what_was_typed_just_before_a_restore_is_kept(signed_in):
    """The restore follows the autosave of what was typed a moment before: that text is in the
    version kept before the restore, not lost with the replaced content."""
    page = signed_in
    portfolio = create_portfolio(page, "Typing then restoring")
    path = f"/portfolios/{portfolio['id']}"
    call_api(page, "PATCH", path, {"projects": [{"name": "Difference engine"}]})
    call_api(page, "PATCH", path, {"projects": []})  # keeps the version with the project
    open_editor(page, portfolio)
    page.get_by_label("Headline").fill("Typed a moment before")
    page.get_by_role("button", name="History").click()  # within the autosave's second
    sheet = page.get_by_role("dialog", name="History")
    sheet.locator(".version-row").filter(has_text="removing items").get_by_role(
        "button", name=re.compile("^Restore")).click()
    page.get_by_role("dialog", name=re.compile("^Restore version")).get_by_role(
        "button", name=re.compile("^Restore version")).click()
    expect(page.locator("#toasts")).to_contain_text("restored")
    versions = call_api(page, "GET", f"{path}/versions")["data"]
    kept = next(v for v in versions if v["reason"] == "before restore")
    content = call_api(page, "GET", f"{path}/versions/{kept['version']}")["content"]
    assert content["profile"]["headline"] == "Typed a moment before"
    assert [p["name"] for p in stored(page, portfolio)["projects"]] == ["Difference engine"]
