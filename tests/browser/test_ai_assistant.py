"""The AI assistant in the editor: "Start from a description" (draft, preview, apply), "Improve"
on long text fields (suggestions, insert, dismiss), errors in words, and no AI control at all
when no provider is configured. The app talks to a local chat-completions server
(tests/ai_server.py) through the real `openai` client; what is stored is checked through the API.

With VITRINE_SCREENSHOTS=<folder>, the description box, the draft's preview, the Improve menu and
the suggestions dialog are saved there as PNG files.
"""
import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .helpers import call_api, create_portfolio
from .test_editor import item, open_editor, preview, section, status, stored

DESCRIPTION = ("I studied statistics at Lyon (2019-2022), then joined Acme as a data analyst in "
               "September 2022: weekly SQL reports. I know SQL well.")
# What the model answers: valid content, plus a field no schema knows and an invalid level,
# which the checks leave out and list.
DRAFT = {
    "profile": {"title": "Data analyst", "headline": "Data analyst who makes numbers speak",
                "bio": "Statistician from Lyon."},
    "experiences": [{"role": "Data analyst", "organisation": "Acme", "start_date": "2022-09",
                     "current": True, "description": "Weekly SQL reports.", "salary": "100k"}],
    "diplomas": [{"title": "Licence in statistics", "institution": "Université de Lyon",
                  "start_date": "2019", "end_date": "2022"}],
    "skills": [{"name": "SQL", "level": "advanced"}, {"name": "Power BI", "level": "guru"}],
}
BIO = "i am statistician, i like the data and i make report for the team every week"
SUGGESTIONS = ["I am a statistician who turns data into weekly team reports.",
               "Statistician: I write the team's weekly data reports."]


@pytest.fixture
def live_settings(request, ai_settings):
    """The app with the assistant pointed at `ai_provider`; a test's indirect parameter adds
    settings (a shorter timeout, no quota), or is None for an app without a provider."""
    extra = getattr(request, "param", {})
    return {} if extra is None else {**ai_settings, **extra}


def screenshot(page, name, *locators, margin=16):
    """With VITRINE_SCREENSHOTS set, the part of the page that shows `locators`, as <name>.png
    (in a viewport tall enough for the panes to show them whole)."""
    folder = os.environ.get("VITRINE_SCREENSHOTS")
    if not folder:
        return
    viewport = page.viewport_size
    page.set_viewport_size({"width": viewport["width"], "height": 1600})
    locators[0].scroll_into_view_if_needed()
    boxes = [locator.bounding_box() for locator in locators]
    left, top = min(box["x"] for box in boxes) - margin, min(box["y"] for box in boxes) - margin
    right = max(box["x"] + box["width"] for box in boxes) + margin
    bottom = max(box["y"] + box["height"] for box in boxes) + margin
    Path(folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(folder) / f"{name}.png"), animations="disabled", clip={
        "x": max(0, left), "y": max(0, top), "width": right - max(0, left),
        "height": bottom - max(0, top)})
    page.set_viewport_size(viewport)


def profile_field(page, label):
    return page.locator("#profile-form").get_by_label(label, exact=True)


def draft_box(page):
    return page.get_by_role("region", name="Start from a description")


def draft_preview(page):
    return page.get_by_role("region", name="Your draft")


def ask_for_a_draft(page, ai_provider, answer=DRAFT, **reply):
    ai_provider.reply(answer, **reply)
    page.get_by_label("Describe your path…").fill(DESCRIPTION)
    page.get_by_role("button", name="Draft my portfolio").click()


def versions(page, portfolio):
    return [(entry["version"], entry["reason"]) for entry in call_api(
        page, "GET", f"/portfolios/{portfolio['id']}/versions")["data"]]


def suggestions_dialog(page):
    return page.get_by_role("dialog", name=re.compile("^Improve "))


def test_draft_preview_then_add_to_the_portfolio(signed_in, ai_provider):
    page = signed_in
    portfolio = open_editor(page, create_portfolio(page, "Job hunt"))
    box = draft_box(page)
    expect(box).to_be_visible()
    prompt = box.get_by_label("Describe your path…")
    expect(prompt).to_have_attribute("placeholder", re.compile("^For example: I studied"))
    box.get_by_label("Write the content in").select_option(label="French")
    prompt.fill(DESCRIPTION)
    screenshot(page, "description-box", box)

    ai_provider.reply(DRAFT, delay=1)
    box.get_by_role("button", name="Draft my portfolio").click()
    expect(box.get_by_role("button", name="Drafting…")).to_be_disabled()
    expect(box.get_by_role("status")).to_contain_text("The assistant is writing your draft")
    drafted = draft_preview(page)
    expect(drafted).to_be_focused()
    expect(drafted.locator("dl")).to_contain_text("HeadlineData analyst who makes numbers speak")
    expect(drafted.get_by_role("heading", name="Experience (1)")).to_be_visible()
    expect(drafted.get_by_role("listitem").filter(has_text="Data analyst — Acme · 2022-09")) \
        .to_be_visible()
    expect(drafted.get_by_text("Licence in statistics — Université de Lyon · 2022")) \
        .to_be_visible()
    expect(drafted.get_by_role("heading", name="Skills (1)")).to_be_visible()
    warnings = drafted.locator("[data-field=warning-list] li")
    expect(warnings).to_have_text([re.compile('"salary" is not a field here'),
                                   re.compile(r"skills\[1\] is not valid \(level")])
    screenshot(page, "draft-preview", drafted)
    [request] = ai_provider.requests
    assert json.loads(request["json"]["messages"][1]["content"]) == {"description": DESCRIPTION}
    assert 'ISO 639-1 code is "fr"' in request["json"]["messages"][0]["content"]
    # Nothing is stored before the person chooses.
    assert stored(page, portfolio)["version"] == portfolio["version"]

    # A change typed just before is saved first, then the draft goes on top of it.
    profile_field(page, "Location").fill("Lyon")
    drafted.get_by_role("button", name="Add to my portfolio").click()
    done = box.locator("[data-field=done]")
    expect(done).to_be_focused()
    expect(done).to_contain_text("Added to your portfolio: profile details, 1 experience, "
                                 "1 diploma, and 1 skill.")
    expect(item(page, "experiences", "Data analyst")).to_be_visible()
    expect(item(page, "skills", "SQL")).to_be_visible()
    expect(preview(page).get_by_text("Licence in statistics")).to_be_visible()
    expect(profile_field(page, "Headline")).to_have_value("Data analyst who makes numbers speak")
    expect(profile_field(page, "Location")).to_have_value("Lyon")
    expect(status(page)).to_have_text("Saved")
    expect(page.get_by_role("button", name="Undo", exact=True)).to_be_disabled()

    saved = stored(page, portfolio)
    assert saved["version"] == portfolio["version"] + 2  # the location, then the draft
    assert saved["profile"]["location"] == "Lyon"
    assert saved["profile"]["bio"] == "Statistician from Lyon."
    assert [entry["role"] for entry in saved["experiences"]] == ["Data analyst"]
    assert saved["experiences"][0]["description"] == "Weekly SQL reports."
    assert [entry["name"] for entry in saved["skills"]] == ["SQL"]
    assert versions(page, portfolio)[0] == (saved["version"], "merge")
    page.get_by_role("button", name="History").click()
    expect(page.get_by_text(f"Added from an AI draft · version {saved['version']}")) \
        .to_be_visible()
    page.keyboard.press("Escape")

    # Editing goes on from the new version.
    profile_field(page, "Phone").fill("+33 6 12 34 56 78")
    expect(status(page)).to_have_text("Saved")
    assert stored(page, portfolio)["version"] == saved["version"] + 1
    done.get_by_role("button", name="Done").click()
    expect(box).to_have_count(0)
    expect(page.get_by_label("Portfolio name")).to_be_focused()


def test_replace_asks_first_and_history_keeps_what_it_replaced(signed_in, ai_provider):
    page = signed_in
    portfolio = create_portfolio(page, "Job hunt")
    open_editor(page, portfolio)
    ask_for_a_draft(page, ai_provider)
    drafted = draft_preview(page)
    expect(drafted).to_be_visible()
    # Typed after the draft came: a skill of the person's own, which the draft's skills replace.
    page.get_by_role("button", name="Add skill").click()
    section(page, "skills").locator(".item").first.get_by_label("Name", exact=True).fill("Excel")
    drafted.get_by_role("button", name="Replace sections").click()
    confirm = page.get_by_role("dialog", name="Replace these sections?")
    expect(confirm).to_contain_text("Your Experience, Education, and Skills sections are "
                                    "replaced by the draft’s")
    expect(confirm).to_contain_text("kept as a version in History")
    confirm.get_by_role("button", name="Cancel").click()
    expect(drafted).to_be_visible()
    expect(status(page)).to_have_text("Saved")
    before = stored(page, portfolio)
    assert [entry["name"] for entry in before["skills"]] == ["Excel"]

    drafted.get_by_role("button", name="Replace sections").click()
    confirm.get_by_role("button", name="Replace sections").click()
    expect(draft_box(page)).to_contain_text("Replaced in your portfolio")
    expect(item(page, "skills", "SQL")).to_be_visible()
    expect(item(page, "skills", "Excel")).to_have_count(0)
    saved = stored(page, portfolio)
    assert saved["version"] == before["version"] + 1
    assert [entry["name"] for entry in saved["skills"]] == ["SQL"]
    assert versions(page, portfolio)[:2] == [(saved["version"], "replace"),
                                             (before["version"], "before replace")]


def test_a_draft_applied_to_a_portfolio_changed_elsewhere_waits_for_the_newer_version(
        signed_in, ai_provider):
    page = signed_in
    portfolio = open_editor(page, create_portfolio(page, "Job hunt"))
    ask_for_a_draft(page, ai_provider)
    drafted = draft_preview(page)
    expect(drafted).to_be_visible()
    # An experience without its role cannot be saved yet: the draft waits.
    page.get_by_role("button", name="Add experience").click()
    drafted.get_by_role("button", name="Add to my portfolio").click()
    expect(drafted.get_by_role("alert")).to_have_text(re.compile(
        "^Some of your changes are not saved yet"))
    section(page, "experiences").get_by_role("button", name="Delete").click()
    expect(status(page)).to_have_text("Saved")
    assert stored(page, portfolio)["experiences"] == []
    # Another tab saves meanwhile: the editor's version is stale.
    newer = call_api(page, "PATCH", f"/portfolios/{portfolio['id']}",
                     {"profile": {"location": "Paris"}})
    drafted.get_by_role("button", name="Add to my portfolio").click()
    expect(drafted.get_by_role("alert")).to_contain_text("changed in another tab or device")
    expect(profile_field(page, "Location")).to_have_value("Paris")
    assert stored(page, portfolio)["version"] == newer["version"]

    drafted.get_by_role("button", name="Add to my portfolio").click()
    expect(draft_box(page)).to_contain_text("Added to your portfolio")
    saved = stored(page, portfolio)
    assert (saved["version"], saved["profile"]["location"]) == (newer["version"] + 1, "Paris")
    assert [entry["role"] for entry in saved["experiences"]] == ["Data analyst"]


def test_improve_the_bio_with_the_keyboard_and_insert_a_suggestion(signed_in, ai_provider):
    page = signed_in
    portfolio = create_portfolio(page, "Job hunt")
    portfolio = call_api(page, "PATCH", f"/portfolios/{portfolio['id']}",
                         {"profile": {"bio": BIO, "headline": "Statistician"}})
    open_editor(page, portfolio)
    expect(draft_box(page)).to_have_count(0)  # not a new portfolio
    improve = page.get_by_role("button", name="Improve the “Bio” field")
    improve.focus()
    page.keyboard.press("Enter")
    menu = page.get_by_role("menu", name="Improve the “Bio” field of your profile")
    expect(menu).to_be_visible()
    expect(improve).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("menuitem")).to_have_text([
        "Rewrite it", "Shorten it", "Fix spelling and grammar", "Make the achievements concrete",
        "Translate…"])
    expect(menu.get_by_role("menuitem", name="Rewrite it")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(improve).to_be_focused()
    expect(improve).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    page.keyboard.press("End")
    expect(menu.get_by_role("menuitem", name="Translate…")).to_be_focused()
    page.keyboard.press("Tab")
    expect(menu).to_be_hidden()
    expect(improve).to_be_focused()

    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("menuitem", name="Fix spelling and grammar")).to_be_focused()
    screenshot(page, "improve-menu", profile_field(page, "Bio"), menu)
    ai_provider.reply({"suggestions": SUGGESTIONS}, delay=0.5)
    page.keyboard.press("Enter")
    dialog = suggestions_dialog(page)
    expect(dialog).to_have_accessible_name("Improve the “Bio” field of your profile")
    expect(dialog).to_contain_text("Fix spelling and grammar: nothing else changes.")
    expect(dialog.get_by_role("status")).to_contain_text("The assistant is writing suggestions")
    expect(dialog.get_by_role("button", name="Insert suggestion 1")).to_be_focused()
    expect(dialog.get_by_role("listitem")).to_have_text(
        [re.compile(re.escape(text)) for text in SUGGESTIONS])
    screenshot(page, "improve-suggestions", dialog)
    [request] = ai_provider.requests
    assert request["json"]["messages"][0]["content"].count(
        "Correct the spelling, grammar and punctuation only") == 1
    assert json.loads(request["json"]["messages"][1]["content"]) == {
        "section": "profile", "field": "bio", "text": BIO, "context": {
            "display_name": "Ada Lovelace", "headline": "Statistician"}}

    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Insert suggestion 2")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    bio = profile_field(page, "Bio")
    expect(bio).to_be_focused()
    expect(bio).to_have_value(SUGGESTIONS[1])
    expect(status(page)).to_have_text("Saved")
    saved = stored(page, portfolio)
    assert (saved["profile"]["bio"], saved["version"]) == (SUGGESTIONS[1], portfolio["version"] + 1)

    # One undo step brings the text back, saved like any edit.
    page.get_by_role("button", name="Undo", exact=True).click()
    expect(bio).to_have_value(BIO)
    expect(status(page)).to_have_text("Saved")
    assert stored(page, portfolio)["profile"]["bio"] == BIO


def test_translate_a_description_then_dismiss(signed_in, ai_provider):
    page = signed_in
    portfolio = create_portfolio(page, "Job hunt")
    portfolio = call_api(page, "PATCH", f"/portfolios/{portfolio['id']}", {"experiences": [
        {"role": "Data analyst", "description": "Rapports SQL chaque semaine."}]})
    open_editor(page, portfolio)
    experience = item(page, "experiences", "Data analyst")
    experience.get_by_role("button", name="Edit Data analyst").click()
    improve = experience.get_by_role("button", name="Improve the “Description” field")
    improve.click()
    page.get_by_role("menuitem", name="Translate…").click()
    dialog = suggestions_dialog(page)
    expect(dialog).to_have_accessible_name("Improve the “Description” field of “Data analyst”")
    language = dialog.get_by_label("Translate into")
    expect(language).to_be_focused()
    language.select_option(label="English")
    ai_provider.reply({"suggestions": ["Weekly SQL reports."]})
    dialog.get_by_role("button", name="Translate").click()
    expect(dialog.get_by_role("button", name="Insert suggestion 1")).to_be_focused()
    body = ai_provider.requests[0]["json"]
    assert 'ISO 639-1 code is "en"' in body["messages"][0]["content"]
    assert json.loads(body["messages"][1]["content"])["text"] == "Rapports SQL chaque semaine."

    dialog.get_by_role("button", name="Dismiss").click()
    expect(dialog).to_be_hidden()
    expect(improve).to_be_focused()
    expect(experience.get_by_label("Description")).to_have_value("Rapports SQL chaque semaine.")
    assert stored(page, portfolio)["version"] == portfolio["version"]

    # An empty field has nothing to improve: said under the button, no request.
    profile_field(page, "Headline").fill("")
    page.get_by_role("button", name="Improve the “Headline” field").click()
    expect(page.get_by_text("There is no text to improve yet")).to_be_visible()
    expect(page.get_by_role("menu")).to_be_hidden()
    assert len(ai_provider.requests) == 1


@pytest.mark.parametrize("live_settings", [{"AI_TIMEOUT_SECONDS": 1}], indirect=True)
def test_provider_failures_are_told_where_they_happen(signed_in, ai_provider):
    page = signed_in
    page.allow_console_error("the server responded with a status of 50")
    portfolio = open_editor(page, create_portfolio(page, "Job hunt"))
    ask_for_a_draft(page, ai_provider, status=500, body='{"error": {"message": "crashed"}}')
    box = draft_box(page)
    expect(box.get_by_role("alert")).to_have_text(
        "The AI provider refused the request (HTTP 500); try again later.")
    expect(draft_preview(page)).to_be_hidden()

    call_api(page, "PATCH", f"/portfolios/{portfolio['id']}", {"profile": {"bio": BIO}})
    page.reload()
    ai_provider.reply({"suggestions": SUGGESTIONS}, delay=3)
    page.get_by_role("button", name="Improve the “Bio” field").click()
    page.get_by_role("menuitem", name="Rewrite it").click()
    dialog = suggestions_dialog(page)
    expect(dialog.get_by_role("alert")).to_contain_text(
        "The AI provider did not answer within 1 seconds; try again.")
    again = dialog.get_by_role("button", name="Try again")
    expect(again).to_be_focused()
    ai_provider.reply({"suggestions": SUGGESTIONS})
    again.click()
    expect(dialog.get_by_role("alert")).to_be_hidden()
    expect(dialog.get_by_role("button", name="Insert suggestion 1")).to_be_focused()


@pytest.mark.parametrize("live_settings", [{"AI_DAILY_REQUESTS_PER_USER": 0}], indirect=True)
def test_past_the_daily_quota_says_when_it_starts_again(signed_in, ai_provider):
    page = signed_in
    open_editor(page, create_portfolio(page, "Job hunt"))
    page.get_by_label("Describe your path…").fill(DESCRIPTION)
    page.get_by_role("button", name="Draft my portfolio").click()
    alert = draft_box(page).get_by_role("alert")
    expect(alert).to_contain_text("You have used today's 0 requests to the AI assistant; more "
                                  "from midnight UTC. That is ")
    expect(alert).to_contain_text(
        re.compile(r"your time \((in \d+ (hours?|minutes?)|just now)\)\.$"))
    assert ai_provider.requests == []


@pytest.mark.parametrize("live_settings", [None], indirect=True)
def test_without_a_provider_the_editor_shows_no_ai_control(signed_in):
    page = signed_in
    portfolio = create_portfolio(page, "Job hunt")
    call_api(page, "PATCH", f"/portfolios/{portfolio['id']}", {
        "experiences": [{"role": "Data analyst", "description": "Weekly SQL reports."}]})
    open_editor(page, create_portfolio(page, "New one"))
    expect(profile_field(page, "Bio")).to_be_visible()
    expect(page.locator("#editor")).to_have_attribute("data-ai-assistant", "off")
    expect(page.get_by_text("Start from a description")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Improve"))).to_have_count(0)

    open_editor(page, portfolio)
    item(page, "experiences", "Data analyst").get_by_role("button", name="Edit Data analyst") \
        .click()
    expect(page.get_by_label("Description")).to_have_value("Weekly SQL reports.")
    expect(page.get_by_role("button", name=re.compile("^Improve"))).to_have_count(0)
    # The assistant's markup is not even fetched.
    assert not page.evaluate("performance.getEntriesByType('resource')"
                             ".some((entry) => entry.name.endsWith('fragments/editor-ai.html'))")


def test_the_assistant_speaks_french(browser, live_server, ai_provider):
    from .conftest import register
    from .test_i18n import french_page
    context, page = french_page(browser, live_server)
    try:
        register(page)
        portfolio = create_portfolio(page, "Candidatures")
        page.goto(f"/app/portfolios/{portfolio['id']}")
        box = page.get_by_role("region", name="Partir d’une description")
        box.get_by_label("Décrivez votre parcours…").fill(DESCRIPTION)
        ai_provider.reply(DRAFT, delay=1)
        box.get_by_role("button", name="Rédiger mon portfolio").click()
        expect(box.get_by_role("button", name="Rédaction…")).to_be_disabled()
        expect(box.get_by_role("status")).to_contain_text("L’assistant rédige votre brouillon.")
        page.get_by_role("region", name="Votre brouillon").get_by_role(
            "button", name="Ajouter à mon portfolio").click()
        done = box.locator("[data-field=done]")
        expect(done).to_contain_text("Ajouté à votre portfolio\u00a0: des informations de "
                                     "profil, 1 expérience, 1 diplôme et 1 compétence.")
        expect(done).to_contain_text("Pour retirer un élément, supprimez-le.")

        improve = page.get_by_role("button", name="Améliorer le champ «\u00a0Présentation\u00a0»")
        improve.click()
        ai_provider.reply({"suggestions": SUGGESTIONS})
        page.get_by_role("menuitem", name="Corriger l’orthographe et la grammaire").click()
        dialog = page.get_by_role("dialog", name=re.compile("^Améliorer le champ"))
        expect(dialog).to_have_accessible_name(
            "Améliorer le champ «\u00a0Présentation\u00a0» de votre profil")
        expect(dialog).to_contain_text(
            "Corriger l’orthographe et la grammaire\u00a0: rien d’autre ne change.")
        expect(dialog.get_by_role("status")).to_have_text("2 suggestions.")
        dialog.get_by_role("button", name="Insérer la suggestion 1").click()
        expect(page.get_by_text("Suggestion insérée. Annuler rétablit votre texte.")) \
            .to_be_attached()
    finally:
        context.close()
