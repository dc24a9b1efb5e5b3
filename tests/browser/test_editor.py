"""The portfolio editor (/app/portfolios/<id>): autosave, items of every section, reordering,
proofs, the live preview, conflicts between two pages, undo/redo. What it stores is checked
through the API."""
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from app.demo_content import demo_portfolio_content

from .conftest import _is_problem
from .helpers import call_api, create_portfolio, wait_for_sign_in

# What to type into a new item of each section for it to be complete (label → value).
NEW_ITEMS = {
    "link": {"Network": "GitHub", "Address": "https://github.com/ada"},
    "experience": {"Role": "Analyst"},
    "diploma": {"Diploma": "Master of Mathematics"},
    "project": {"Name": "Difference engine"},
    "certification": {"Name": "AWS Cloud Practitioner"},
    "training": {"Title": "Rust bootcamp"},
    "skill": {"Name": "Mathematics"},
    "language": {"Language": "French", "Fluency": "C1"},
    "volunteer role": {"Organisation": "Red Cross", "Role": "First aider"},
    "award": {"Award": "Royal Society medal"},
    "publication": {"Title": "Notes on the Analytical Engine", "Published": "1843"},
    "interest": {"Interest": "Poetry", "Keywords": "Byron\nShelley"},
    "reference": {"Name": "Charles Babbage", "Position": "Inventor, worked with me"},
}
SECTION_FIELDS = {"link": "links", "experience": "experiences", "diploma": "diplomas",
                  "project": "projects", "certification": "certifications",
                  "training": "trainings", "skill": "skills", "language": "languages",
                  "volunteer role": "volunteer", "award": "awards",
                  "publication": "publications", "interest": "interests",
                  "reference": "references"}


def open_editor(page, portfolio):
    """`portfolio` open in the editor on `page`, loaded; returns the portfolio."""
    page.goto(f"/app/portfolios/{portfolio['id']}")
    expect(status(page)).to_have_text("Saved")
    return portfolio


def status(page):
    return page.locator("#save-status")


def stored(page, portfolio):
    return call_api(page, "GET", f"/portfolios/{portfolio['id']}")


def demo_portfolio(page, title="Camille"):
    portfolio = create_portfolio(page, title)
    return call_api(page, "PATCH", f"/portfolios/{portfolio['id']}", demo_portfolio_content())


def section(page, field):
    return page.locator(f"section[aria-labelledby='section-{field}']")


def item(page, field, name):
    return section(page, field).locator(".item").filter(
        has=page.locator(".item-name", has_text=re.compile(f"^{re.escape(name)}$")))


def preview(page):
    return page.frame_locator("#preview-frame")


def png_file(name="screenshot.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "#e07a1f").save(buffer, "PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buffer.getvalue()}


def test_profile_edits_are_saved_and_shown_in_the_preview(signed_in):
    page = signed_in
    portfolio = open_editor(page, create_portfolio(page, "Job hunt"))
    expect(page.get_by_role("heading", name="Job hunt", level=1)).to_be_visible()
    page.get_by_label("Display name").fill("Ada Lovelace")
    page.get_by_label("Headline").fill("First programmer, looking for engines")
    page.get_by_label("Bio").fill("I wrote the first algorithm.\n\nI like engines.")
    expect(status(page)).to_have_text("Unsaved changes")
    expect(status(page)).to_have_text("Saved")

    profile = stored(page, portfolio)["profile"]
    assert profile["headline"] == "First programmer, looking for engines"
    assert profile["bio"] == "I wrote the first algorithm.\n\nI like engines."
    expect(preview(page).locator(".headline")).to_have_text(
        "First programmer, looking for engines")
    expect(preview(page).get_by_text("I like engines.")).to_be_visible()


def test_add_an_item_to_each_section(signed_in):
    page = signed_in
    portfolio = open_editor(page, create_portfolio(page, "Everything"))
    for noun, values in NEW_ITEMS.items():
        page.get_by_role("button", name=f"Add {noun}", exact=True).click()
        new = section(page, SECTION_FIELDS[noun]).locator(".item").first
        expect(new.get_by_label(next(iter(values)), exact=True)).to_be_focused()
        for label, value in values.items():
            new.get_by_label(label, exact=True).fill(value)
    certification = item(page, "certifications", "AWS Cloud Practitioner")
    certification.get_by_text("Recruiter", exact=True).click()
    expect(certification.locator(".visibility-badge")).to_have_text("Recruiter")
    skill = item(page, "skills", "Mathematics")
    skill.get_by_label("Difference engine").check()
    expect(status(page)).to_have_text("Saved")

    saved = stored(page, portfolio)
    default = {"certification": "recruiter", "reference": "private"}
    for noun, values in NEW_ITEMS.items():
        [entry] = saved[SECTION_FIELDS[noun]]
        assert entry["visibility"] == default.get(noun, "public")
    assert saved["links"][0]["url"] == "https://github.com/ada"
    assert [saved["languages"][0][key] for key in ("name", "fluency")] == ["French", "C1"]
    assert saved["interests"][0]["keywords"] == ["Byron", "Shelley"]
    assert saved["publications"][0]["release_date"] == "1843"
    assert saved["volunteer"][0]["role"] == "First aider"
    assert saved["skills"][0]["project_ids"] == [saved["projects"][0]["id"]]
    expect(preview(page).get_by_text("Difference engine").first).to_be_visible()


def test_a_reference_is_private_until_its_owner_shows_it(signed_in):
    page = signed_in
    portfolio = open_editor(page, create_portfolio(page, "References", is_private=False))
    references = section(page, "references")
    expect(references.locator(".section-note")).to_have_text(
        "A reference names someone else: each one is private, seen only by you, until you "
        "choose who sees it.")
    page.get_by_role("button", name="Add reference").click()
    new = references.locator(".item").first
    expect(new.get_by_role("radio", name="Private")).to_be_checked()
    expect(new.locator(".visibility-badge")).to_have_text("Private")
    expect(new.get_by_text("Private: only you.")).to_be_visible()
    new.get_by_label("Name", exact=True).fill("Grace Hopper")
    new.get_by_label("Contact").fill("grace@example.com")
    expect(status(page)).to_have_text("Saved")
    [reference] = stored(page, portfolio)["references"]
    assert reference["visibility"] == "private" and reference["contact"] == "grace@example.com"

    new.get_by_text("Recruiter", exact=True).click()
    expect(status(page)).to_have_text("Saved")
    assert stored(page, portfolio)["references"][0]["visibility"] == "recruiter"


def test_fields_imports_fill_in_are_edited_too(signed_in):
    page = signed_in
    portfolio = open_editor(page, create_portfolio(page, "New fields"))
    page.get_by_role("button", name="Add experience").click()
    experience = section(page, "experiences").locator(".item").first
    experience.get_by_label("Role", exact=True).fill("Research engineer")
    experience.get_by_label("About the organisation").fill("Non-profit AI research institute")
    website = experience.get_by_label("Organisation’s website")
    assert website.get_attribute("type") == "url"
    website.fill("https://institute.example")
    page.get_by_role("button", name="Add diploma").click()
    diploma = section(page, "diplomas").locator(".item").first
    diploma.get_by_label("Diploma", exact=True).fill("MSc Mathematics")
    diploma.get_by_label("Courses").fill("Algebra\n\n  Topology  ")
    diploma.get_by_label("School’s website").fill("https://uni.example")
    page.get_by_role("button", name="Add skill").click()
    skill = section(page, "skills").locator(".item").first
    skill.get_by_label("Name", exact=True).fill("Python")
    skill.get_by_label("Keywords").fill("pandas\nnumpy")
    page.get_by_role("button", name="Add project").click()
    project = section(page, "projects").locator(".item").first
    project.get_by_label("Name", exact=True).fill("Chess engine")
    project.get_by_label("Organisation").fill("Chess club")
    expect(status(page)).to_have_text("Saved")

    saved = stored(page, portfolio)
    assert saved["experiences"][0]["url"] == "https://institute.example"
    assert saved["experiences"][0]["organisation_summary"] == "Non-profit AI research institute"
    assert saved["diplomas"][0]["courses"] == ["Algebra", "Topology"]
    assert saved["diplomas"][0]["url"] == "https://uni.example"
    assert saved["skills"][0]["keywords"] == ["pandas", "numpy"]
    assert saved["projects"][0]["organisation"] == "Chess club"


def test_new_sections_reorder_like_the_others(signed_in):
    page = signed_in
    portfolio = create_portfolio(page, "Languages")
    call_api(page, "PATCH", f"/portfolios/{portfolio['id']}", {"languages": [
        {"name": "English", "fluency": "Native speaker"}, {"name": "French", "fluency": "C1"},
        {"name": "German", "fluency": "A2"}]})
    open_editor(page, portfolio)
    expect(item(page, "languages", "French").locator(".item-detail")).to_have_text("C1")

    drag(page, item(page, "languages", "German").locator(".drag-handle"),
         item(page, "languages", "English").locator(".drag-handle"))
    expect(status(page)).to_have_text("Saved")
    assert order_of(page, portfolio, "languages") == ["German", "English", "French"]
    page.get_by_role("button", name="Move “French” Up").click()
    expect(status(page)).to_have_text("Saved")
    assert order_of(page, portfolio, "languages") == ["German", "French", "English"]


def test_a_new_item_waits_for_its_name_and_api_errors_show_by_the_field(signed_in):
    page = signed_in
    portfolio = open_editor(page, create_portfolio(page, "Checks"))
    page.get_by_role("button", name="Add project").click()
    new = section(page, "projects").locator(".item").first
    new.get_by_label("Summary").fill("No name yet")
    expect(new.locator(".field-error")).to_have_text("Fill in the “Name” field.")
    expect(status(page)).to_have_text("Unsaved changes")
    new.get_by_label("Demo").fill("not a link")
    new.get_by_label("Name", exact=True).fill("Named at last")
    expect(new.locator(".field-error")).to_have_text("Not a valid URL.")
    expect(status(page)).to_have_text("Not saved: check the marked fields.")
    new.get_by_label("Demo").fill("https://demo.example.com")
    expect(status(page)).to_have_text("Saved")
    assert stored(page, portfolio)["projects"][0]["demo_url"] == "https://demo.example.com"


def test_delete_and_undo_through_the_notice(signed_in):
    page = signed_in
    portfolio = open_editor(page, demo_portfolio(page))
    project = item(page, "projects", "Home-lab Kubernetes cluster")
    project.get_by_role("button", name=re.compile("^Edit")).click()
    project.get_by_role("button", name="Delete").click()
    notice = page.locator("#undo-notice")
    expect(notice).to_contain_text("Project “Home-lab Kubernetes cluster” deleted.")
    expect(status(page)).to_have_text("Saved")
    assert "Home-lab Kubernetes cluster" not in str(stored(page, portfolio)["projects"])

    notice.get_by_role("button", name="Undo").click()
    expect(item(page, "projects", "Home-lab Kubernetes cluster")).to_be_visible()
    expect(status(page)).to_have_text("Saved")
    assert "Home-lab Kubernetes cluster" in str(stored(page, portfolio)["projects"])


def test_undo_and_redo_with_the_keyboard_and_the_buttons(signed_in):
    page = signed_in
    portfolio = open_editor(page, create_portfolio(page, "Undo"))
    headline = page.get_by_label("Headline")
    headline.fill("One")
    headline.press("Tab")
    headline.fill("Two")
    headline.press("Tab")
    expect(status(page)).to_have_text("Saved")

    headline.focus()
    page.keyboard.press("Control+z")
    expect(headline).to_have_value("One")
    expect(status(page)).to_have_text("Saved")
    assert stored(page, portfolio)["profile"]["headline"] == "One"
    page.keyboard.press("Control+Shift+z")
    expect(headline).to_have_value("Two")
    page.get_by_role("button", name="Undo").click()
    page.get_by_role("button", name="Undo").click()
    expect(headline).to_have_value("")
    expect(page.get_by_role("button", name="Undo")).to_be_disabled()
    expect(status(page)).to_have_text("Saved")
    assert stored(page, portfolio)["profile"]["headline"] is None
    page.get_by_role("button", name="Redo").click()
    expect(headline).to_have_value("One")


def order_of(page, portfolio, field):
    return [entry["name"] for entry in stored(page, portfolio)[field]]


def drag(page, source, target):
    """Press on `source`, move in steps (as a hand does) to `target`, release."""
    source.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 2, steps=12)
    page.mouse.up()


def test_reorder_by_dragging_and_with_the_keyboard(signed_in):
    page = signed_in
    portfolio = open_editor(page, demo_portfolio(page))
    names = order_of(page, portfolio, "projects")

    drag(page, item(page, "projects", names[2]).locator(".drag-handle"),
         item(page, "projects", names[0]).locator(".drag-handle"))
    expect(status(page)).to_have_text("Saved")
    assert order_of(page, portfolio, "projects")[:3] == [names[2], names[0], names[1]]

    move_down = page.get_by_role("button", name=f"Move “{names[2]}” Down")
    move_down.focus()
    page.keyboard.press("Enter")
    expect(move_down).to_be_focused()
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text("Saved")
    assert order_of(page, portfolio, "projects")[:3] == [names[0], names[1], names[2]]
    expect(page.locator("#toasts")).to_contain_text(f"“{names[2]}” is now 3 of {len(names)}.")


def test_a_proof_uploaded_shows_its_thumbnail_here_and_in_the_preview(signed_in):
    page = signed_in
    portfolio = open_editor(page, demo_portfolio(page))
    project = item(page, "projects", portfolio["projects"][0]["name"])
    project.get_by_role("button", name=re.compile("^Edit")).click()
    project.get_by_label("Add files").set_input_files(png_file())

    proof = project.locator(".proof")
    expect(proof.get_by_label("Title")).to_have_value("screenshot")
    expect(proof.locator("img")).to_have_js_property("complete", True)
    [saved] = stored(page, portfolio)["proofs"]
    assert saved["visibility"] == "public" and saved["item_id"] == portfolio["projects"][0]["id"]
    thumbnail = preview(page).locator(f"img[src*='{saved['id']}/file?thumbnail=1']")
    thumbnail.scroll_into_view_if_needed()
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("image => image.naturalWidth") > 0

    project.get_by_label("Add files").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"just some text"})
    expect(project.locator(".upload .field-error")).to_contain_text("“notes.txt” was not added:")

    proof.get_by_role("button", name="Move to trash").click()
    notice = page.locator("#undo-notice")
    expect(notice).to_contain_text("“screenshot” moved to the trash")
    expect(project.locator(".proof")).to_have_count(0)
    assert stored(page, portfolio)["proofs"] == []
    notice.get_by_role("button", name="Undo").click()
    expect(project.locator(".proof img")).to_be_visible()
    assert [proof["id"] for proof in stored(page, portfolio)["proofs"]] == [saved["id"]]


def test_files_dropped_on_an_item_are_attached_to_it(signed_in):
    page = signed_in
    portfolio = open_editor(page, demo_portfolio(page))
    diploma = item(page, "diplomas", portfolio["diplomas"][0]["title"])
    files = page.evaluate_handle("""([name, bytes]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], name, { type: "image/png" }));
        return transfer;
    }""", ["diploma.png", list(png_file()["buffer"])])
    diploma.dispatch_event("dragover", {"dataTransfer": files})
    diploma.dispatch_event("drop", {"dataTransfer": files})
    expect(diploma.locator(".proof").get_by_label("Title")).to_have_value("diploma")
    [proof] = stored(page, portfolio)["proofs"]
    assert proof["item_type"] == "diplomas"
    assert proof["item_id"] == portfolio["diplomas"][0]["id"]


def test_an_expired_session_is_renewed_for_the_preview(signed_in):
    # Another page than the fixture's: the preview's own 401 is logged by Chrome, and expected.
    page = signed_in.context.new_page()
    open_editor(page, demo_portfolio(page))
    page.context.clear_cookies(name="access_token_cookie")
    page.locator("#audience-switch").get_by_text("Owner").click()
    expect(preview(page).get_by_text("Owner preview")).to_be_visible()


def test_the_preview_switches_audience(signed_in):
    page = signed_in
    portfolio = open_editor(page, demo_portfolio(page))
    recruiter_only = next(project["name"] for project in portfolio["projects"]
                          if project["visibility"] == "recruiter")
    expect(preview(page).locator("h1")).to_have_text("Camille Martin")
    expect(preview(page).get_by_text(recruiter_only)).to_have_count(0)
    page.locator("#audience-switch").get_by_text("Recruiter").click()
    expect(preview(page).get_by_text(recruiter_only).first).to_be_visible()
    page.locator("#audience-switch").get_by_text("Owner").click()
    expect(preview(page).get_by_text("Owner preview")).to_be_visible()


def watch_problems(page):
    problems = []
    page.on("console", lambda message: _is_problem(message) and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_two_pages_on_one_portfolio_keep_mine_loses_nothing(signed_in):
    first = signed_in
    portfolio = open_editor(first, create_portfolio(first, "Shared"))
    second = first.context.new_page()
    problems = watch_problems(second)
    open_editor(second, portfolio)

    first.get_by_label("Headline").fill("Written in the first tab")
    expect(status(first)).to_have_text("Saved")
    second.get_by_label("Bio").fill("Written in the second tab")
    dialog = second.get_by_role("dialog", name="This portfolio was changed elsewhere")
    expect(dialog).to_be_visible()
    expect(status(second)).to_have_text("Conflict")
    dialog.get_by_role("button", name="Keep mine").click()
    expect(status(second)).to_have_text("Saved")

    profile = stored(first, portfolio)["profile"]
    assert profile["headline"] == "Written in the first tab"
    assert profile["bio"] == "Written in the second tab"
    expect(second.get_by_label("Headline")).to_have_value("Written in the first tab")
    assert not problems


def test_load_the_newer_version_drops_mine(signed_in):
    first = signed_in
    portfolio = open_editor(first, create_portfolio(first, "Shared"))
    second = first.context.new_page()
    open_editor(second, portfolio)
    first.get_by_label("Headline").fill("Theirs")
    expect(status(first)).to_have_text("Saved")
    second.get_by_label("Headline").fill("Mine")
    second.get_by_role("button", name="Load the newer version").click()
    expect(second.get_by_label("Headline")).to_have_value("Theirs")
    expect(status(second)).to_have_text("Saved")
    assert stored(first, portfolio)["profile"]["headline"] == "Theirs"


def test_offline_changes_are_kept_and_sent_when_back_online(signed_in):
    # Another page than the fixture's, which counts Chrome's "ERR_INTERNET_DISCONNECTED" log
    # lines as problems: here they are the point.
    page = signed_in.context.new_page()
    portfolio = open_editor(page, create_portfolio(page, "Offline"))
    page.context.set_offline(True)
    page.get_by_label("Headline").fill("Typed on the train")
    expect(status(page)).to_have_text("Offline — retrying")
    warnings = []
    page.on("dialog", lambda dialog: (warnings.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    expect(page.get_by_label("Headline")).to_have_value("Typed on the train")
    assert warnings == ["beforeunload"]
    page.context.set_offline(False)
    expect(status(page)).to_have_text("Saved")
    assert stored(page, portfolio)["profile"]["headline"] == "Typed on the train"


@pytest.mark.parametrize("width", [390, 1440])
def test_no_sideways_scroll(signed_in, width):
    page = signed_in
    page.set_viewport_size({"width": width, "height": 900})
    open_editor(page, demo_portfolio(page))
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_replaced_photo_leaves_the_page_and_undo_brings_it_back(signed_in, live_server):
    page = signed_in
    portfolio = open_editor(page, create_portfolio(page, "Photos", is_private=False))
    page.locator("#photo-input").set_input_files(png_file("first.png"))
    expect(page.locator("#photo-image")).to_be_visible()
    expect(status(page)).to_have_text("Saved")
    first = stored(page, portfolio)["profile"]["photo_proof_id"]
    assert first
    page.locator("#photo-input").set_input_files(png_file("second.png"))
    expect(page.locator("#photo-image")).not_to_have_attribute("src", re.compile(first))
    expect(status(page)).to_have_text("Saved")
    current = stored(page, portfolio)
    assert current["profile"]["photo_proof_id"] not in (None, first)
    trash = call_api(page, "GET", f"/portfolios/{portfolio['id']}/proofs/trash")["data"]
    assert [proof["id"] for proof in trash] == [first]
    visitor = page.context.browser.new_context(base_url=live_server.url)
    public = visitor.new_page().goto(f"/p/{portfolio['slug']}")
    assert first not in public.text()
    visitor.close()
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#photo-image")).to_have_attribute("src", re.compile(first))
    expect(status(page)).to_have_text("Saved")
    assert stored(page, portfolio)["profile"]["photo_proof_id"] == first
    assert call_api(page, "GET", f"/portfolios/{portfolio['id']}/proofs/trash")["data"] == []


def test_changes_typed_when_the_session_ended_are_saved_after_signing_in_again(signed_in,
                                                                               live_server):
    # "Sign out everywhere" on another device, then typing here: the editor's 401 sends it to
    # sign in, with no "Leave site?" question, and the headline must come back and be saved.
    page = signed_in
    portfolio = open_editor(page, create_portfolio(page, "Two devices"))
    other_device = page.context.browser.new_context(
        base_url=live_server.url, storage_state=page.context.storage_state())
    call_api(other_device.new_page(), "POST", "/auth/sessions/revoke-all")
    other_device.close()
    warnings = []
    page.on("dialog", lambda dialog: (warnings.append(dialog.type), dialog.accept()))

    page.get_by_label("Headline").fill("Typed on the second device")
    editor_path = f"/app/portfolios/{portfolio['id']}"
    wait_for_sign_in(page, editor_path)
    assert warnings == []  # the typing waits in the tab's draft
    page.get_by_label("Email").fill(page.account.email)
    page.get_by_label("Password").fill(page.account.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(f"{re.escape(editor_path)}$"))
    expect(page.locator("#toasts")).to_contain_text("Your unsaved changes were restored.")
    expect(page.get_by_label("Headline")).to_have_value("Typed on the second device")
    expect(status(page)).to_have_text("Saved")
    assert stored(page, portfolio)["profile"]["headline"] == "Typed on the second device"
    assert page.evaluate("sessionStorage.length") == 0  # nothing left once saved


def test_the_portfolio_language_is_chosen_in_the_editor(signed_in):
    page = signed_in
    portfolio = open_editor(page, demo_portfolio(page))
    assert portfolio["language"] == "en"
    call_api(page, "PATCH", f"/portfolios/{portfolio['id']}", {"is_private": False})
    page.reload()
    language = page.get_by_label("Portfolio language")
    expect(language).to_have_value("en")
    expect(language.locator("option")).to_have_text(["English", "Français", "Deutsch", "Español"])
    expect(page.get_by_text("your own text is not translated")).to_be_visible()
    language.select_option(label="Français")
    expect(status(page)).to_have_text("Saved")
    assert stored(page, portfolio)["language"] == "fr"
    # The preview re-renders in the new language.
    expect(preview(page).locator("html")).to_have_attribute("lang", "fr")
    expect(preview(page).get_by_role("heading", name="Compétences", exact=True)).to_be_visible()
    page.reload()
    expect(page.get_by_label("Portfolio language")).to_have_value("fr")
    expect(page.get_by_label("Portfolio language").locator("option:checked")).to_have_text(
        "Français")

    published = page.request.get(f"/p/{portfolio['slug']}").text()
    assert '<html lang="fr">' in published
    assert ">Compétences<" in published and ">Projets<" in published
    assert ">Skills<" not in published

    # Undoable like the other fields: one Undo, English again, saved.
    page.get_by_label("Portfolio language").select_option("de")
    expect(status(page)).to_have_text("Saved")
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_label("Portfolio language")).to_have_value("fr")
    expect(status(page)).to_have_text("Saved")
    assert stored(page, portfolio)["language"] == "fr"
