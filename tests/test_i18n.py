"""Languages: a portfolio's `language` (API), its pages, PDF, password and gone pages and Word
export in that language, and catalogues that hold every message the templates and the app use.
"""
import html
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from docx import Document
from pypdf import PdfReader

from app.models.languages import LANGUAGES
from app.services.visibility import portfolio_view
from app.web.rendering import render_gone_page, render_portfolio_pdf
from app.web.rendering.formatting import format_date, format_period, format_timestamp

from .conftest import PASSWORD
from .test_rendering import TEMPLATES, make_portfolio, page, pdftotext, section_html

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
API = "/api/v1/portfolios"
# The demo's layout names three headings itself; the others are Vitrine's.
TYPED_HEADINGS = ("Experience", "Education", "Elsewhere")


def french(template="modern", **overrides):
    portfolio = make_portfolio(template, **overrides)
    portfolio.language = "fr"
    return portfolio


def headings(html):
    return re.findall(r'class="section-title">([^<]*)</h2>', html)


# --- formatting -----------------------------------------------------------------------------

def test_dates_in_each_language():
    assert format_date("2021-09", "fr") == "sept. 2021"
    assert format_date("2021-09-15", "fr") == "15 sept. 2021"
    assert format_date("2021-09") == "Sep 2021" and format_date("2021") == "2021"
    assert format_date("2021-05", "de") == "Mai 2021"
    # A day as each language writes it: German puts its ordinal dot; English keeps day first.
    assert format_date("2021-09-15", "de") == "15. Sept. 2021"
    assert format_date("2021-09-15", "es") == "15 sept 2021"
    assert format_date("2021-09-15") == "15 Sep 2021"
    assert format_timestamp("2026-11-21T14:41:31Z", "de") == "21. Nov. 2026"
    assert format_date("2021-09", "es") == "sept 2021"
    assert format_period("2025-02", None, True, "fr") == "févr. 2025 – aujourd’hui"
    assert format_period("2025-02", None, True, "xx") == "Feb 2025 – present"


# --- the published page ---------------------------------------------------------------------

@pytest.mark.parametrize("template", TEMPLATES)
def test_each_template_in_french(template):
    html = page(french(template), "recruiter")

    assert '<html lang="fr">' in html
    # Vitrine's headings translated, the owner's own ones as typed.
    assert {"À propos", "Projets", "Compétences", "Langues", "Certifications",
            "Formations courtes", "Bénévolat", "Distinctions", "Publications",
            "Centres d’intérêt"} <= set(headings(html))
    assert set(TYPED_HEADINGS) <= set(headings(html))
    for english in ("Skills", "Projects", "Languages", "Download PDF", "Made with", "present",
                    "Proven by", "Open to internships", "Recruiter view", "Internship"):
        assert english not in html, english
    assert "Télécharger le PDF" in html and "Réalisé avec <strong>Vitrine</strong>" in html
    assert "Recherche un stage" in html  # the availability badge
    assert "Vue recruteur" in html
    experiences = section_html(html, "experiences")
    assert "févr. 2025 – aujourd’hui" in experiences and "juil. 2024 – déc. 2024" in experiences
    assert "Stage" in experiences and "Emploi" in experiences
    assert "sept. 2022 – juin 2027" in section_html(html, "diplomas")
    assert "Master" in section_html(html, "diplomas")
    skills = section_html(html, "skills")
    assert "Langages de programmation" in skills and "Démontré par" in skills
    assert ">Expert<" in skills and ">Avancé<" in skills
    assert "Valable jusqu’à mars 2027" in section_html(html, "certifications")
    assert "Projet universitaire" in section_html(html, "projects")


def test_owner_preview_and_untranslated_language():
    assert "Aperçu du propriétaire" in page(french(), "owner")
    portfolio = make_portfolio()
    portfolio.language = None  # a document stored before languages: English
    html = page(portfolio)
    assert '<html lang="en">' in html and "Download PDF" in html and "Skills" in headings(html)


@pytest.mark.parametrize(("language", "heading", "download"), [
    ("de", "Kenntnisse", "PDF herunterladen"), ("es", "Competencias", "Descargar PDF")])
def test_german_and_spanish_pages(language, heading, download):
    portfolio = make_portfolio()
    portfolio.language = language
    html = page(portfolio)
    assert f'<html lang="{language}">' in html and heading in headings(html)
    assert download in html


# --- the PDF --------------------------------------------------------------------------------

def test_the_pdf_in_french():
    portfolio = french()
    view = portfolio_view(portfolio, "recruiter")
    data = render_portfolio_pdf(view, audience="recruiter", author="Camille Martin",
                                title="Camille Martin · Portfolio", proof_image=lambda _: None)
    text = pdftotext(data)
    for fragment in ("COMPÉTENCES", "PROJETS", "À PROPOS", "EXPERIENCE", "ELSEWHERE",
                     "Réalisé avec Vitrine", "févr. 2025 – aujourd’hui",
                     "sept. 2022 – juin 2027", "Recherche un stage", "Démontré par",
                     "Expert", "LANGAGES DE PROGRAMMATION", "Stage"):
        assert fragment in text, fragment
    assert re.search(r"Page 1 sur \d", text) and "Page 2 sur" in text
    for english in ("Page 1 of", "Made with", "present", "Proven by", "SKILLS"):
        assert english not in text, english
    assert PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"] == "fr"


# --- the API: the field, its default, a 422 -------------------------------------------------

def test_language_is_stored_patched_and_defaults_to_english(auth_client, portfolio_factory):
    created = portfolio_factory(title="Mon portfolio", language="fr")
    assert created["language"] == "fr"
    response = auth_client.patch(f"{API}/{created['id']}", json={"language": "es"})
    assert response.status_code == 200 and response.get_json()["language"] == "es"
    assert portfolio_factory(title="Plain")["language"] == "en"


@pytest.mark.parametrize("headers, cookie, expected", [
    ({"Accept-Language": "fr-FR,fr;q=0.9"}, None, "fr"),
    ({"Accept-Language": "de-DE,en;q=0.5"}, "es", "es"),
    ({"Accept-Language": "en-US"}, None, None),
    ({}, None, None),
])
def test_a_new_account_keeps_the_language_the_app_was_in(client, headers, cookie, expected):
    """Signing up from the app in French gives the account French (its mails, notifications and
    imported portfolios follow, not only the pages it sees); English stays unset."""
    if cookie:
        client.set_cookie("vitrine-language", cookie)
    response = client.post("/api/v1/auth/register", headers=headers, json={
        "email": "nouvelle@example.com", "password": "a fine passphrase", "full_name": "Léa"})
    assert response.status_code == 201 and response.get_json()["user"]["language"] == expected
    imported = client.post(f"{API}/import", headers={
        "Authorization": f"Bearer {response.get_json()['access_token']}"},
        json={"basics": {"name": "Léa"}})
    assert imported.status_code == 201
    assert imported.get_json()["language"] == (expected or "en")


def test_the_owner_setting_is_the_default(auth_client, portfolio_factory):
    response = auth_client.patch("/api/v1/auth/me", json={"language": "de"})
    assert response.status_code == 200 and response.get_json()["language"] == "de"
    assert portfolio_factory(title="Neu")["language"] == "de"
    assert portfolio_factory(title="Nouveau", language="fr")["language"] == "fr"
    duplicate = auth_client.post(f"{API}/{portfolio_factory(title='Es', language='es')['id']}"
                                 "/duplicate")
    assert duplicate.get_json()["language"] == "es"


@pytest.mark.parametrize("language", ["it", "FR", "french", "", None, 3])
def test_an_unknown_language_is_a_422(auth_client, portfolio_factory, language):
    response = auth_client.post(f"{API}/", json={"title": "X", "language": language})
    assert response.status_code == 422
    assert "language" in response.get_json()["errors"]
    created = portfolio_factory(title="Y")
    response = auth_client.patch(f"{API}/{created['id']}", json={"language": language})
    assert response.status_code == 422
    assert "language" in response.get_json()["errors"]
    assert auth_client.get(f"{API}/{created['id']}").get_json()["language"] == "en"
    response = auth_client.patch("/api/v1/auth/me", json={"language": "it"})
    assert response.status_code == 422 and "language" in response.get_json()["errors"]


# --- the password and gone pages, the Word export --------------------------------------------

def test_the_password_page_in_french(client, auth_client, portfolio_factory):
    created = portfolio_factory(title="Portfolio de Camille", slug="camille-fr", language="fr")
    auth_client.patch(f"{API}/{created['id']}", json={"password": "secret-word"})
    response = client.get("/p/camille-fr")
    html = response.get_data(as_text=True)
    assert response.status_code == 401 and '<html lang="fr">' in html
    for fragment in ("Portfolio protégé", "<h1>Portfolio de Camille</h1>", "Mot de passe",
                     "Voir le portfolio", "Réalisé avec <strong>Vitrine</strong>"):
        assert fragment in html, fragment
    assert "Ce mot de passe n’est pas le bon." not in html
    failed = client.post("/p/camille-fr/unlock", data={"password": "wrong"},
                         follow_redirects=True)
    assert "Ce mot de passe n’est pas le bon." in failed.get_data(as_text=True)


def test_the_gone_page_in_the_visitors_language(auth_client, client, portfolio_factory):
    created = portfolio_factory(title="Liens", language="fr")
    link = auth_client.post(f"{API}/{created['id']}/recruiter-links/",
                            json={"label": "Acme"}).get_json()
    assert auth_client.delete(f"{API}/{created['id']}/recruiter-links/{link['id']}"
                              ).status_code == 204
    response = client.get(f"/r/{link['token']}", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    html = response.get_data(as_text=True)
    assert response.status_code == 410 and '<html lang="fr">' in html
    assert "<h1>Ce lien n’est plus disponible</h1>" in html and "Lien privé" in html
    assert "Ce lien recruteur a expiré ou a été retiré." in html
    assert '<html lang="es">' in render_gone_page(language="es")
    # The app's rule, by primary tag: German first wins over an exact but less wanted "en".
    german = client.get(f"/r/{link['token']}", headers={"Accept-Language": "de-DE,en;q=0.5"})
    assert '<html lang="de">' in german.get_data(as_text=True)


def test_the_word_export_headings_in_french(auth_client, portfolio_factory):
    from app.demo_content import demo_portfolio_content
    created = portfolio_factory(title="Camille", full=True, language="fr")
    content = auth_client.get(f"{API}/{created['id']}/export.docx")
    document = Document(io.BytesIO(content.data))
    titles = {paragraph.text for paragraph in document.paragraphs
              if paragraph.style.name == "Heading 1"}
    assert {"Compétences", "Projets", "À propos"} <= titles
    assert {entry["heading"] for entry in demo_portfolio_content()["layout"]["sections"]
            if entry.get("heading")} <= titles


def test_the_word_export_body_in_french(auth_client, portfolio_factory):
    created = portfolio_factory(title="Camille", full=True, language="fr")
    document = Document(io.BytesIO(
        auth_client.get(f"{API}/{created['id']}/export.docx").data))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    # Labels, types, levels, durations and dates from the catalogue and Babel.
    # French labels take a non-breaking space before their colon.
    assert "Mention\u00a0: Mention très bien" in text and "Difficultés\u00a0: Missing data" in text
    assert re.search("Site web\u00a0: (www.)?insa-lyon.fr", text)
    assert "Identifiant du certificat\u00a0: AWS-CCP-123456" in text
    assert "60 heures" in text and "Master" in text
    assert "Python (Expert" in text and "Kubernetes (Intermédiaire" in text
    assert "sept. 2022" in text and "aujourd’hui" in text
    # The demo's own text is English: only Vitrine's words are looked for.
    for english in ("Grade:", "Website:", "Credential ID:", "Credential:", "Challenges:"):
        assert english not in text, english
    assert not re.search(r"\d hours|(Intermediate|Advanced|Beginner)[;)]", text)
    assert document.core_properties.language == "fr"


# --- the catalogues -------------------------------------------------------------------------

def extracted_messages():
    """Every message the templates, the renderer, the mails, the notifications and the error
    pages mark (`_`, `N_`, `gettext`, `ngettext`...), as `pybabel extract` finds them; a plural
    is its (singular, plural) pair."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    return {message for _, _, message, _, _ in
            extract_from_dir(ROOT, method_map, options_map, keywords=DEFAULT_KEYWORDS)}


def message_key(message_id):
    """A message's id as a key: a plural's (singular, plural), whatever the reader made of it."""
    return tuple(message_id) if isinstance(message_id, (list, tuple)) else message_id


def is_translated(string):
    return all(string) if isinstance(string, (list, tuple)) else bool(string)


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != "en"])
def test_every_message_is_translated_and_compiled(language):
    messages = extracted_messages()
    assert len(messages) > 80
    assert {"Confirm your email address", "Hello %(name)s,", "Not Found",
            ("%(num)s view", "%(num)s views"),
            "Your recruiter link “%(label)s” was opened for the first time."} <= messages
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as po_file:
        catalogue = read_po(po_file)
    translated = {message_key(message.id): message_key(message.string) for message in catalogue
                  if message.id and is_translated(message.string) and not message.fuzzy}
    missing = messages - set(translated)
    assert not missing, f"missing from {language}/messages.po: {sorted(missing, key=str)}"
    # Each translation keeps its message's %(placeholders)s (Babel's python-format check).
    wrong = [(message.id, errors) for message, errors in catalogue.check()]
    assert not wrong, wrong
    # The committed .mo is the .po compiled (pybabel compile -d app/translations).
    with open(folder / "messages.mo", "rb") as mo_file:
        compiled = {message_key(message.id): message_key(message.string)
                    for message in read_mo(mo_file) if message.id}
    assert compiled == translated, f"run pybabel compile: {language}/messages.mo is stale"


def test_the_french_catalogue_puts_a_non_breaking_space_before_double_punctuation():
    """As in fr.json: U+00A0 before : ; ? ! and inside « » (a colon right after a letter
    stays: https://)."""
    with open(TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po", "rb") as po_file:
        strings = [string for message in read_po(po_file) if message.id
                   for string in (message.string if isinstance(message.string, tuple)
                                  else (message.string,))]
    wrong = [string for string in strings
             if re.search(r"[ \u202f][:;!?»]|«[ \u202f]|[\w)][;!?»]|«\w", string)]
    assert not wrong, wrong


# t("…"), its literal possibly cut in several: t("Your page is a draft: " + "Publish it…").
APP_MESSAGE = re.compile(r"""\bt\(\s*("[^"]+"(?:\s*\+\s*"[^"]*")*|'[^']+')""")
LITERAL = re.compile(r""""([^"]*)"|'([^']*)'""")
# The editor's section nouns, counted in words by formatPlural (t(noun), t(`${noun}s`)).
SECTION_NOUN = re.compile(r'\bnoun: "([^"]+)"')
# What the templates translate by variable (_forms.html's labels, hints, field messages), read
# from the pages rendered in English.
APP_FIELD_WORDS = re.compile(
    r'<label for="[^"]+">([^<]+)</label>|<p id="[^"]+-hint" class="hint">([^<]+)</p>'
    r'|data-(?:missing|invalid|too-short|mismatch)="([^"]+)"')
APP = ROOT / "app" / "static" / "app"


class FragmentWords(HTMLParser):
    """What i18n.js's translate() looks up in a static fragment: its texts and the attributes
    it translates, by their own words."""
    ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "data-missing", "data-invalid",
                  "data-too-short", "data-mismatch")

    def __init__(self):
        super().__init__()
        self.words = set()

    def keep(self, text):
        words = " ".join((text or "").split())
        if re.search(r"[A-Za-z]", words):
            self.words.add(words)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in self.ATTRIBUTES:
                self.keep(value)

    def handle_data(self, data):
        self.keep(data)


def fragment_words(path):
    parser = FragmentWords()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.words


def app_pages(portfolio_id):
    return ("/", "/signin", "/signup", "/reset-password", "/reset-password?token=x",
            "/verify-email", "/app", "/app/account", f"/app/portfolios/{portfolio_id}",
            f"/app/portfolios/{portfolio_id}/stats")


def signed_in_browser(app, auth_client):
    browser = app.test_client()
    browser.set_cookie("access_token_cookie", auth_client.tokens["access_token"])
    return browser


def app_messages(app, auth_client, portfolio_factory):
    """The app's messages: `t("…")` in its modules and templates, the words of its static
    fragments, and the field words of every page."""
    found = set()
    for path in [*APP.glob("*.js"), *(ROOT / "app" / "templates" / "app").glob("*.html")]:
        found |= {"".join("".join(groups) for groups in LITERAL.findall(match))
                  for match in APP_MESSAGE.findall(path.read_text(encoding="utf-8"))}
    for noun in SECTION_NOUN.findall((APP / "editor-fields.js").read_text(encoding="utf-8")):
        found |= {noun, f"{noun}s"}
    # The design pane's templates, fonts and default section headings (editor-design.js).
    design = json.loads((APP / "templates-thumbs" / "design.json").read_text(encoding="utf-8"))
    found |= {words for entry in design["templates"] for words in
              (entry["label"], entry["description"])}
    found |= {entry["label"] for entry in design["fonts"]}
    found |= {entry["heading"] for entry in design["sections"]}
    for path in (APP / "fragments").glob("*.html"):
        found |= fragment_words(path)
    browser = signed_in_browser(app, auth_client)
    for path in app_pages(portfolio_factory()["id"]):
        response = (browser if path.startswith("/app") else app.test_client()).get(path)
        assert response.status_code == 200, path
        found |= {html.unescape(word).strip() for groups in
                  APP_FIELD_WORDS.findall(response.get_data(as_text=True))
                  for word in groups if word}
    return found


APP_CATALOGUES = sorted((APP / "i18n").glob("*.json"))


def test_the_app_speaks_every_language_of_the_portfolios():
    assert [path.stem for path in APP_CATALOGUES] == ["de", "es", "fr"]


@pytest.mark.parametrize("path", APP_CATALOGUES, ids=lambda path: path.name)
def test_every_app_message_is_in_each_catalogue(path, app, auth_client, portfolio_factory):
    messages = app_messages(app, auth_client, portfolio_factory)
    assert {"Sign in", "Password", "Enter your password.", "Signing in…", "Your portfolios",
            "New portfolio", "Give your portfolio a title."} <= messages
    catalogue = json.loads(path.read_text(encoding="utf-8"))
    missing = messages - {key for key, value in catalogue.items() if value}
    assert not missing, f"missing from app/static/app/i18n/{path.name}: {sorted(missing)}"
    # A translation keeps its message's placeholders, each as many times: t() fills them.
    placeholders = re.compile(r"\{\w+\}")
    wrong = {key: value for key, value in catalogue.items()
             if sorted(placeholders.findall(key)) != sorted(placeholders.findall(value))}
    assert not wrong, f"placeholders differ in {path.name}: {wrong}"


def shown_words(response):
    """What the app shows of an API refusal (api.js, dom.js): its field messages, else its
    message; and the slug check's answer."""
    body = response.get_json()
    if "available" in body:
        return {body["message"]}

    def messages(value):
        if isinstance(value, str):
            return {value}
        values = value.values() if isinstance(value, dict) else value
        return set().union(*(messages(entry) for entry in values))
    return messages(body["errors"]) if body.get("errors") else {body["message"]}


def api_form_refusals(client, auth_client, portfolio_factory):
    """The API's refusals people meet in the app's forms: sign-in, sign-up, the account's
    password, address and two-factor code, the page's address."""
    account = {"full_name": "Ada", "email": auth_client.user["email"]}
    slugs = f"{API}/slug-availability?portfolio_id={portfolio_factory(slug='mine-here')['id']}"
    proofs = f"{API}/{portfolio_factory(title='Proofs')['id']}/proofs/"
    answers = [
        client.post("/api/v1/auth/login", json={"email": account["email"],
                                                "password": "not the password"}),
        client.post("/api/v1/auth/register", json={**account, "password": "a fine passphrase"}),
        *(client.post("/api/v1/auth/register", json={"full_name": "Ada", "email": email,
                                                     "password": password})
          for email, password in (("x@example.com", "short"), ("x@example.com", "password12"),
                                  ("lovelace-ada@example.com", "lovelace-ada"),
                                  ("x@example.com", "abababababab"))),
        auth_client.post("/api/v1/auth/password", json={"current_password": "not mine",
                                                        "new_password": "a brand new one!"}),
        auth_client.post("/api/v1/auth/email", json={"email": auth_client.user["email"],
                                                     "password": PASSWORD}),
        auth_client.post("/api/v1/auth/2fa/enable", json={"code": "000000"})
        if auth_client.post("/api/v1/auth/2fa/setup").status_code == 200 else None,
        *(auth_client.get(f"{slugs}&slug={slug}") for slug in
          ("mine-here-too", "admin", "a", portfolio_factory(slug="taken-one")["slug"])),
        # The import dialog: the wrong kind of file (a PDF, a broken ZIP), an empty one, not
        # UTF-8, and a document the schema refuses (its field problems; the dialog has its own
        # heading).
        *(auth_client.post(f"{API}/import", data={"file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")
          for name, content in (("cv.pdf", b"%PDF-1.4"), ("empty.json", b""),
                                ("latin.json", b'{"a": "\xe9"}'), ("export.zip", b"PK no zip"))),
        auth_client.post(f"{API}/import", json={"basics": {"name": 5, "profiles": {}},
                                                "work": [{"startDate": "soon"}]}),
        auth_client.post(f"{API}/import", json=[]),
        # A proof's upload: a type not accepted, a damaged image.
        *(auth_client.post(proofs, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(content), name), "item_type": "profile"})
          for name, content in (("notes.txt", b"just notes"),
                                ("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64))),
    ]
    return set().union(*(shown_words(answer) for answer in answers))


@pytest.mark.parametrize("path", APP_CATALOGUES, ids=lambda path: path.name)
def test_the_apis_refusals_in_forms_are_in_each_catalogue(path, client, auth_client,
                                                         portfolio_factory):
    """api.js shows the API's messages in the app's language where the catalogue has them:
    each refusal a form can meet must be there."""
    refusals = api_form_refusals(client, auth_client, portfolio_factory)
    assert {"Email or password is incorrect.", "Already registered.", "Already taken.",
            "This address is available."} <= refusals
    catalogue = json.loads(path.read_text(encoding="utf-8"))
    missing = refusals - {key for key, value in catalogue.items() if value}
    assert not missing, f"missing from app/static/app/i18n/{path.name}: {sorted(missing)}"


@pytest.mark.parametrize("path", APP_CATALOGUES, ids=lambda path: path.name)
def test_the_design_panes_sections_are_named_as_the_page_names_them(path):
    """The design pane lists the page's sections by their default headings: the app's words for
    them are the published page's (its gettext catalogue), or the owner reads two names."""
    design = json.loads((APP / "templates-thumbs" / "design.json").read_text(encoding="utf-8"))
    catalogue = json.loads(path.read_text(encoding="utf-8"))
    with open(ROOT / "app" / "translations" / path.stem / "LC_MESSAGES" / "messages.po",
              "rb") as handle:
        page_words = {message.id: message.string for message in read_po(handle) if message.id}
    differ = {entry["heading"]: (catalogue[entry["heading"]], page_words[entry["heading"]])
              for entry in design["sections"]
              if catalogue[entry["heading"]] != page_words[entry["heading"]]}
    assert not differ, differ


def test_french_puts_a_non_breaking_space_before_double_punctuation():
    """French typography, as the newer entries have it: U+00A0 before : ; ? ! and inside « »;
    a colon right after a letter stays (https://, {minimum}:1)."""
    catalogue = json.loads((APP / "i18n" / "fr.json").read_text(encoding="utf-8"))
    wrong = {value for value in catalogue.values()
             if re.search(r"[ \u202f][:;!?»]|«[ \u202f]|\w[;!?»]|«\w", value)}
    assert not wrong, sorted(wrong)


@pytest.mark.parametrize("headers, cookie, expected", [
    ({"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}, None, "fr"),
    ({"Accept-Language": "de-DE,en;q=0.5"}, None, "de"),
    ({"Accept-Language": "it,es;q=0.8,en;q=0.5"}, None, "es"),
    ({"Accept-Language": "fr"}, "en", "en"),
    ({}, "fr", "fr"),
    ({}, "xx", "en"),
])
def test_the_app_page_language_from_the_switch_and_accept_language(client, headers, cookie,
                                                                   expected):
    if cookie:
        client.set_cookie("vitrine-language", cookie)
    response = client.get("/signin", headers=headers)
    page_html = response.get_data(as_text=True)
    assert f'<html lang="{expected}" data-language="{expected}">' in page_html
    assert ("<h1>Se connecter</h1>" in page_html) == (expected == "fr")
    assert "Accept-Language" in response.headers["Vary"]


def test_the_signed_in_pages_follow_the_account_setting(app, auth_client):
    auth_client.patch("/api/v1/auth/me", json={"language": "fr"})
    browser = signed_in_browser(app, auth_client)
    browser.set_cookie("vitrine-language", "en")
    page_html = browser.get("/app", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr" data-language="fr">' in page_html
    assert "<h1>Vos portfolios</h1>" in page_html and "Tableau de bord · Vitrine" in page_html
    auth_client.patch("/api/v1/auth/me", json={"language": "de"})
    page_html = browser.get("/app/account").get_data(as_text=True)
    assert '<html lang="de"' in page_html and "<h1>Konto</h1>" in page_html


FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


@pytest.mark.parametrize("path, fragments", [
    ("/reset-password", ("<h1>Mot de passe oublié\u00a0?</h1>", "Envoyez-moi un lien",
                         "Retour à la connexion", "Saisissez votre adresse e-mail.")),
    ("/reset-password?token=x", ("<h1>Choisissez un nouveau mot de passe</h1>",
                                 "Nouveau mot de passe", "Enregistrer le nouveau mot de passe",
                                 "Au moins 10 caractères")),
    ("/verify-email", ("<h1>Confirmez votre adresse e-mail</h1>",
                       "Confirmation de votre adresse…", "Aller à vos portfolios",
                       ">page Compte</a>")),
])
def test_the_signed_out_account_pages_in_french(client, path, fragments):
    page_html = client.get(path, headers=FRENCH).get_data(as_text=True)
    assert '<html lang="fr" data-language="fr">' in page_html
    for fragment in fragments:
        assert fragment in page_html, fragment
    for english in ("Forgot your password?", "Send me a link", "Save the new password",
                    "Confirming your address", "account page"):
        assert english not in page_html, english


def test_the_unsubscribe_page_in_french(app, client, auth_client):
    from app.services import notifications
    with app.app_context():
        token = notifications.unsubscribe_token(auth_client.user["id"], "daily_digest")
    asked = client.get(f"/unsubscribe?token={token}", headers=FRENCH).get_data(as_text=True)
    assert '<html lang="fr"' in asked and "<h1>Ne plus recevoir ces e-mails\u00a0?</h1>" in asked
    # The subject as the mail had it, inside French quotes.
    assert "les e-mails «\u00a0Your portfolios yesterday\u00a0» parce que" in asked
    assert ">Se désabonner</button>" in asked and ">page Compte</a>." in asked
    done = client.post(f"/unsubscribe?token={token}", headers=FRENCH).get_data(as_text=True)
    assert "<h1>Désabonnement effectué</h1>" in done and "Vous ne recevrez plus" in done


def test_the_landing_page_in_french(make_app):
    browser = make_app(GOOGLE_CLIENT_ID="id", GOOGLE_CLIENT_SECRET="secret").test_client()
    page_html = browser.get("/", headers=FRENCH).get_data(as_text=True)
    assert '<html lang="fr" data-language="fr">' in page_html
    for fragment in ("<title>Votre travail, avec les preuves · Vitrine</title>",
                     'content="Vitrine\u00a0: construisez un portfolio',
                     "Montrez votre travail, preuves à l’appui.", ">Créer un compte</a>",
                     ">Se connecter</a>", "<h3>Partagez-le à votre façon</h3>",
                     "Continuer avec Google</a>"):
        assert fragment in page_html, fragment
    for english in ("Show your work", "Sign up", "Build it in minutes", "Continue with"):
        assert english not in page_html, english


def test_the_previews_signed_out_page_in_french(app, portfolio_factory):
    response = app.test_client().get(f"/app/portfolios/{portfolio_factory()['id']}/preview",
                                      headers=FRENCH)
    page_html = response.get_data(as_text=True)
    assert response.status_code == 401 and '<html lang="fr">' in page_html
    for fragment in ("<title>401 Déconnecté · Vitrine</title>", "Erreur 401",
                     "<h1>Déconnecté</h1>", "Reconnectez-vous pour voir l’aperçu.",
                     "Réalisé avec <strong>Vitrine</strong>"):
        assert fragment in page_html, fragment
    for english in ("Signed out", "Sign in again", "Error", "Made with"):
        assert english not in page_html, english


# --- the HTML error pages -------------------------------------------------------------------

def test_an_app_404_page_in_the_visitors_language(client):
    response = client.get("/no-such-page", headers=FRENCH)
    page_html = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert '<html lang="fr">' in page_html and "<h1>Page introuvable</h1>" in page_html
    assert "Erreur 404" in page_html and "Il n’y a rien à cette adresse\u00a0:" in page_html
    assert "Not Found" not in page_html
    english = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert "<h1>Not Found</h1>" in english.get_data(as_text=True)
    # The switch's choice wins over Accept-Language, as on the app's other pages.
    client.set_cookie("vitrine-language", "es")
    assert "<h1>Página no encontrada</h1>" in client.get(
        "/no-such-page", headers=FRENCH).get_data(as_text=True)


def test_a_published_pages_error_in_the_visitors_language(client):
    response = client.get("/p/nobody-here", headers={"Accept-Language": "de-DE,en;q=0.5"})
    page_html = response.get_data(as_text=True)
    assert response.status_code == 404 and '<html lang="de">' in page_html
    assert "<h1>Seite nicht gefunden</h1>" in page_html
    # The view's own message, English, is not shown in a German page.
    assert "Portfolio not found." not in page_html
    assert "Portfolio not found." in client.get("/p/nobody-here").get_data(as_text=True)


def test_an_error_under_a_known_portfolio_speaks_its_language(client, portfolio_factory):
    created = portfolio_factory(title="Camille", slug="camille-404", language="fr")
    response = client.get(f"/p/{created['slug']}/proofs/{'0' * 24}",
                          headers={"Accept-Language": "de"})
    page_html = response.get_data(as_text=True)
    assert response.status_code == 404 and '<html lang="fr">' in page_html
    assert "<h1>Page introuvable</h1>" in page_html


def test_api_errors_stay_english_json(client):
    response = client.get("/api/v1/public/nobody-here", headers=FRENCH)
    assert response.status_code == 404 and response.is_json
    assert response.get_json() == {"code": 404, "status": "Not Found",
                                   "message": "Portfolio not found."}
