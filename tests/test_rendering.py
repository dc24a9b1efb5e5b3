"""The look of published portfolios: HTML templates and the PDF (app/web/rendering/).

Portfolios are built in memory from the demo content and cut down by `portfolio_view`, as the
routes do; nothing here needs the database.
"""
import base64
import http.server
import io
import re
import subprocess
import threading

import pytest
from bson import ObjectId
from PIL import Image
from pypdf import PdfReader

from app.demo_content import demo_portfolio_content
from app.models.portfolio import SECTIONS, Portfolio, Profile, Proof
from app.services.portfolios import build_items
from app.services.visibility import portfolio_view
from app.web.rendering import (
    DEFAULT_ORDER, render_gone_page, render_password_page, render_portfolio_page,
    render_portfolio_pdf,
)
from app.web.rendering import pdf
from app.web.rendering.colours import contrast
from app.web.rendering.formatting import format_date, format_period
from app.web.rendering.theme import theme_variables

TEMPLATES = ("classic", "modern", "minimal")
PAYLOAD = "<script>alert(1)</script>"
PUBLIC_MARK = "Vélib' availability forecaster"
RECRUITER_MARK = "Warehouse picking optimiser"
PRIVATE_MARK = "budgeting bot"
REFERENCE_MARK = "Sophie Laurent"  # the demo's reference, private by default
NEW_SECTIONS = ("languages", "volunteer", "awards", "publications", "interests", "references")


def png(colour="#2a9d8f"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return buffer.getvalue()


PNG = png()


def make_portfolio(template="modern", **overrides):
    content = demo_portfolio_content() | overrides
    portfolio = Portfolio(owner=ObjectId(), title="Camille's portfolio", slug="camille-martin",
                          description=content.get("description"), template=template,
                          theme=content.get("theme", {}), layout=content.get("layout", {}),
                          profile=Profile(**content.get("profile", {})))
    for section, (field, _) in SECTIONS.items():
        setattr(portfolio, field, build_items(section, content.get(field, [])))
    photo = Proof(item_type="profile", title="Portrait", visibility="public", file_id=ObjectId(),
                  content_type="image/png", width=1, height=1, thumbnail_file_id=ObjectId())
    screenshot = Proof(item_type="projects", item_id=portfolio.projects[0].id,
                       title="Dashboard screenshot", visibility="public", file_id=ObjectId(),
                       content_type="image/png", width=1, height=1,
                       thumbnail_file_id=ObjectId())
    report = Proof(item_type="projects", item_id=portfolio.projects[0].id, title="Final report",
                   visibility="public", file_id=ObjectId(), content_type="application/pdf")
    portfolio.proofs = [photo, screenshot, report]
    portfolio.profile.photo_proof_id = photo.id
    return portfolio


def proof_url(proof_id, thumbnail):
    return f"/p/camille-martin/proofs/{proof_id}" + ("?thumbnail=1" if thumbnail else "")


def page(portfolio, audience="public", noindex=False):
    return render_portfolio_page(portfolio_view(portfolio, audience), audience=audience,
                                 proof_url=proof_url,
                                 page_url="https://vitrine.example/p/camille-martin",
                                 pdf_url="/p/camille-martin.pdf", noindex=noindex)


def section_ids(html):
    return re.findall(r'<section id="section-([a-z-]+)"', html)


def section_html(html, name):
    """The <section> of `name` in `html` (sections do not nest)."""
    match = re.search(rf'<section id="section-{name}".*?</section>', html, re.S)
    assert match, f"no section {name}"
    return match.group(0)


def pdftotext(pdf_bytes):
    """The PDF's text as poppler reads it, on one line (wrapping is layout, not content)."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf_bytes,
                          capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("audience", ("public", "recruiter"))
def test_every_section_of_the_demo_renders(template, audience):
    portfolio = make_portfolio(template)
    html = page(portfolio, audience)

    assert f'class="template-{template}' in html
    # Every section of the demo but the references, which are private by default.
    assert set(section_ids(html)) == {"profile", "experiences", "projects", "diplomas",
                                      "certifications", "trainings", "skills", "profile-links",
                                      *NEW_SECTIONS} - {"references"}
    assert REFERENCE_MARK not in html
    assert html.count("<h1") == 1 and '<html lang="en">' in html
    for landmark in ("<header", "<main", "<aside", "<footer", "<nav"):
        assert landmark in html
    assert "Camille Martin" in html and "Made with <strong>Vitrine</strong>" in html
    assert 'href="/p/camille-martin.pdf"' in html
    assert PUBLIC_MARK.replace("'", "&#39;") in html
    assert (RECRUITER_MARK in html) == (audience == "recruiter")
    assert ("camille.martin@example.com" in html) == (audience == "recruiter")
    assert PRIVATE_MARK not in html
    # Dates read as dates; the current job is "present".
    assert "Jul 2024 – Dec 2024" in html and "Feb 2025 – present" in html
    # Proofs beside their item: a thumbnail linking to the file, other files as typed links.
    screenshot, report = portfolio.proofs[1:]
    assert (f'<a href="/p/camille-martin/proofs/{screenshot.id}"><img src="/p/camille-martin/'
            f'proofs/{screenshot.id}?thumbnail=1" alt="Dashboard screenshot"') in html
    assert re.search(rf'href="/p/camille-martin/proofs/{report.id}"><span class="proof-kind">'
                     r'PDF</span> Final report', html)
    assert f'src="/p/camille-martin/proofs/{portfolio.proofs[0].id}?thumbnail=1"' in html
    # Skills name the items that prove them, linked to their anchors.
    kubernetes = portfolio.projects[3]
    assert f'<a href="#projects-{kubernetes.id}">Home-lab Kubernetes cluster</a>' in html
    assert f'id="projects-{kubernetes.id}"' in html
    # External links open safely.
    for anchor in re.findall(r'<a href="https?://[^"]*"[^>]*>', html):
        assert 'rel="noopener nofollow"' in anchor and 'target="_blank"' in anchor


def test_headings_are_in_order():
    html = page(make_portfolio("classic"), "recruiter")
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:]))


def test_layout_order_hidden_sections_columns_and_headings():
    layout = {"columns": 2, "sidebar": "left", "sections": [
        {"section": "skills", "column": "main", "heading": "What I do"},
        {"section": "projects", "column": "side", "style": {"display": "list"}},
        {"section": "experiences", "hidden": True},
        {"section": "diplomas", "column": "main",
         "style": {"background_color": "#102030", "text_color": "#203040",
                   "font_size": "large", "display": "compact"}},
    ]}
    html = page(make_portfolio("minimal", layout=layout))

    # The named sections first (hidden left out), then the others in the default order.
    assert section_ids(html) == ["skills", "diplomas", "profile", "volunteer", "awards",
                                 "publications", "projects", "certifications", "trainings",
                                 "languages", "interests", "profile-links"]
    assert "Software engineering intern" not in html
    assert '<h2 id="section-skills-heading" class="section-title">What I do</h2>' in html
    main, aside = html.split("<aside", 1)
    assert 'id="section-skills"' in main and 'id="section-projects"' in aside
    assert "two-columns sidebar-left" in html
    diplomas = re.search(r'<section id="section-diplomas"[^>]*>', html).group(0)
    assert "display-compact" in diplomas and "size-large" in diplomas
    # A dark text colour on a dark background is replaced by a readable one; the section's
    # colours are in the page's <style> (the CSP allows no style attribute).
    assert "style=" not in html
    diplomas_style = re.search(r"#section-diplomas \{ (.*?) \}", html).group(1)
    text = re.search(r"--text: (#[0-9a-f]{6})", diplomas_style).group(1)
    assert contrast(text, "#102030") >= 4.5


def test_empty_sections_do_not_render():
    html = page(make_portfolio(trainings=[], links=[
        {"network": "github", "url": "https://github.com/example", "visibility": "private"}]))
    assert "section-trainings" not in html and "section-profile-links" not in html
    assert "Training</h2>" not in html


def test_one_column_layout_has_no_sidebar():
    html = page(make_portfolio("classic", layout={"columns": 1}))
    assert "<aside" not in html
    assert section_ids(html)[:4] == ["profile", "experiences", "volunteer", "projects"]


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_new_sections_and_fields_render(template):
    html = page(make_portfolio(template), "recruiter")
    main, aside = html.split("<aside", 1)
    for name, heading in (("languages", "Languages"), ("volunteer", "Volunteering"),
                          ("awards", "Awards"), ("publications", "Publications"),
                          ("interests", "Interests")):
        assert (f'<h2 id="section-{name}-heading" class="section-title">{heading}</h2>'
                in section_html(html, name))
    assert 'id="section-languages"' in aside and 'id="section-interests"' in aside
    assert 'id="section-volunteer"' in main and 'id="section-publications"' in main

    languages = section_html(html, "languages")
    assert re.search(r'<span class="language-name">English</span>\s*<span class="language-fluency">'
                     r"Professional working proficiency \(C1\)</span>", languages)
    volunteer = section_html(html, "volunteer")
    assert '<h3 class="entry-title">Coding club mentor</h3>' in volunteer
    assert "Maison des jeunes de Villeurbanne" in volunteer and "Oct 2022" in volunteer
    assert "<li>Grew the club from 6 to 20 regular members</li>" in volunteer
    awards = section_html(html, "awards")
    assert "Best student project 2024" in awards and "Jun 2024" in awards
    assert "INSA Lyon, computer science department" in awards
    publications = section_html(html, "publications")
    assert "Forecasting bike-share availability" in publications and "Oct 2024" in publications
    interests = section_html(html, "interests")
    assert '<h3 class="entry-title">Climbing</h3>' in interests
    assert '<ul class="tags" aria-label="Keywords">' in interests and "<li>Bouldering</li>" in interests
    # The new fields of the older sections.
    experiences = section_html(html, "experiences")
    assert ('<p class="organisation-summary">Warehouse management software for mid-size '
            'retailers</p>') in experiences
    diplomas = section_html(html, "diplomas")
    assert '<p class="label">Courses</p><ul class="tags" aria-label="Courses">' in diplomas
    assert "<li>Operations research</li>" in diplomas
    assert "<li>pytest</li>" in section_html(html, "skills")
    assert "<span>INSA Lyon</span>" in section_html(html, "projects")
    # Their links: http(s) only, opening safely, the address as the text.
    for name, url, text in (
            ("experiences", "https://logiflow.example.com", "logiflow.example.com"),
            ("diplomas", "https://www.insa-lyon.fr", "insa-lyon.fr"),
            ("volunteer", "https://mjc-villeurbanne.example.org", "mjc-villeurbanne.example.org"),
            ("publications", "https://hal.example.org/hal-04123456",
             "hal.example.org/hal-04123456")):
        assert (f'<a href="{url}" rel="noopener nofollow" target="_blank">{text}<span '
                'class="visually-hidden"> (opens in a new tab)</span></a>') in section_html(html, name)


def shown_reference(visibility="public"):
    portfolio = make_portfolio("classic", layout={"columns": 2})
    portfolio.references[0].visibility = visibility
    return portfolio


def test_the_new_sections_default_placement():
    html = page(shown_reference())
    main, aside = html.split("<aside", 1)
    assert section_ids(main) == ["profile", "experiences", "volunteer", "projects", "diplomas",
                                 "awards", "publications", "references"]
    assert section_ids(aside) == ["certifications", "trainings", "skills", "languages",
                                  "interests", "profile-links"]
    references = section_html(html, "references")
    assert '<h2 id="section-references-heading" class="section-title">References</h2>' in references
    assert '<h3 class="entry-title">Sophie Laurent</h3>' in references
    assert "<span>sophie.laurent@example.edu</span>" in references
    assert re.search(r'<blockquote class="prose">\s*<p>Camille led the forecaster team',
                     references)


@pytest.mark.parametrize("visibility, audiences", [
    ("private", {"owner"}), ("recruiter", {"recruiter", "owner"}),
    ("public", {"public", "recruiter", "owner"})])
def test_a_reference_shows_only_where_its_visibility_allows(visibility, audiences):
    portfolio = shown_reference(visibility)
    for audience in ("public", "recruiter", "owner"):
        html = page(portfolio, audience)
        assert ("section-references" in html) == (audience in audiences), audience
        assert (REFERENCE_MARK in html) == (audience in audiences), audience
        assert ((REFERENCE_MARK in pdftotext(pdf_of(portfolio, audience, images={})))
                == (audience in audiences)), audience


def test_recruiter_only_items_of_the_new_sections_show_only_to_recruiters():
    portfolio = make_portfolio()
    for field in ("languages", "volunteer", "awards", "publications", "interests"):
        getattr(portfolio, field)[0].visibility = "recruiter"
    marks = ("French", "Coding club mentor", "Best student project 2024",
             "Forecasting bike-share availability", "Climbing")
    for audience in ("public", "recruiter"):
        html = page(portfolio, audience)
        text = pdftotext(pdf_of(portfolio, audience, images={}))
        for mark in marks:
            assert (mark in html) == (audience == "recruiter"), (audience, mark)
            assert (mark in text) == (audience == "recruiter"), (audience, mark)


def item_proofs(portfolio, visibility="public"):
    """A document attached to the first item of each new section: {section: proof}."""
    proofs = {}
    for section in NEW_SECTIONS:
        item = getattr(portfolio, SECTIONS[section][0])[0]
        proofs[section] = Proof(item_type=section, item_id=item.id, title=f"{section} letter",
                                visibility=visibility, file_id=ObjectId(),
                                content_type="application/pdf")
    portfolio.proofs = [*portfolio.proofs, *proofs.values()]
    return proofs


def test_proofs_show_beside_the_items_of_the_new_sections():
    portfolio = shown_reference()
    proofs = item_proofs(portfolio)
    html = page(portfolio)
    for section, proof in proofs.items():
        assert re.search(rf'href="/p/camille-martin/proofs/{proof.id}"><span class="proof-kind">'
                         rf"PDF</span> {section} letter</a>", section_html(html, section))
    text = pdftotext(pdf_of(portfolio, "public", images={}))
    for section in NEW_SECTIONS:
        assert f"PDF {section} letter" in text
    # A proof of a private reference is as private as the reference.
    portfolio.references[0].visibility = "private"
    html = page(portfolio, "recruiter")
    assert str(proofs["references"].id) not in html and "references letter" not in html


def _poison(value):
    if isinstance(value, str):
        return PAYLOAD
    if isinstance(value, list):
        return [_poison(entry) for entry in value]
    return value


KEEP = {"id", "visibility", "type", "level", "category", "availability", "contact_visibility",
        "current", "hours", "project_ids", "certification_ids", "training_ids", "url",
        "repository_url", "demo_url", "video_url", "credential_url", "email", "phone"}


def poisoned_portfolio(template):
    """The demo with the payload in every free-text field (dates included)."""
    content = demo_portfolio_content()
    for field, _ in SECTIONS.values():
        content[field] = [{key: value if key in KEEP else _poison(value)
                           for key, value in item.items()} for item in content[field]]
    content["profile"] = {key: value if key in KEEP else PAYLOAD
                          for key, value in content["profile"].items()}
    for entry in content["layout"]["sections"]:
        entry["heading"] = PAYLOAD
    content["description"] = PAYLOAD
    del content["template"]
    portfolio = make_portfolio(template, **content)
    portfolio.title = PAYLOAD
    for proof in portfolio.proofs:
        proof.title = PAYLOAD
    # Values the schemas would refuse, as if they had slipped into the document anyway.
    portfolio.theme = {"primary_color": f"red;}}</style>{PAYLOAD}", "heading_font": PAYLOAD}
    portfolio.links[0].url = "javascript:alert(1)"
    portfolio.projects[0].demo_url = " JavaScript:alert(1)"
    portfolio.experiences[0].url = "javascript:alert(1)"
    portfolio.diplomas[0].url = "javascript:alert(1)"
    portfolio.volunteer[0].url = "javascript:alert(1)"
    portfolio.publications[0].url = 'https://example.org/?q="><script>alert(1)</script>'
    # Shown, so that its text is rendered too.
    portfolio.references[0].visibility = "public"
    return portfolio


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("audience", ("public", "recruiter"))
def test_user_text_is_escaped_everywhere(template, audience):
    html = page(poisoned_portfolio(template), audience)
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in html.lower()
    assert html.count("</style>") == 3
    for name in NEW_SECTIONS:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section_html(html, name)
    # A quote in a URL cannot end the attribute.
    assert 'href="https://example.org/?q=&#34;&gt;&lt;script&gt;' in html


# Every text field the new sections and the new item fields have, each with its own marker.
NEW_TEXT_FIELDS = {
    "languages": ("name", "fluency"),
    "volunteer": ("organisation", "role", "start_date", "end_date", "description"),
    "awards": ("title", "awarder", "date", "description"),
    "publications": ("name", "publisher", "release_date", "description"),
    "interests": ("name",),
    "references": ("name", "position", "contact", "reference"),
    "experiences": ("organisation_summary",),
    "projects": ("organisation",),
}
NEW_LIST_FIELDS = {"volunteer": "achievements", "interests": "keywords", "diplomas": "courses",
                   "skills": "keywords"}


def marker(section, field):
    return f"<b>{section}.{field}</b>"


def marked_portfolio():
    """The demo with markup naming its place in every new field of one item per section, the
    reference shown."""
    portfolio = make_portfolio("classic", layout={"columns": 1})
    for section, fields in NEW_TEXT_FIELDS.items():
        item = getattr(portfolio, SECTIONS[section][0])[0]
        for field in fields:
            setattr(item, field, marker(section, field))
    for section, field in NEW_LIST_FIELDS.items():
        setattr(getattr(portfolio, SECTIONS[section][0])[0], field, [marker(section, field)])
    portfolio.references[0].visibility = "public"
    return portfolio


def all_markers():
    return [marker(section, field) for section, fields in NEW_TEXT_FIELDS.items()
            for field in fields] + [marker(*entry) for entry in NEW_LIST_FIELDS.items()]


def test_every_new_field_is_shown_escaped():
    html = page(marked_portfolio())
    assert "<b>" not in html
    for text in all_markers():
        assert text.replace("<", "&lt;").replace(">", "&gt;") in html, text


def test_pdf_shows_every_new_field_as_text():
    text = pdftotext(pdf_of(marked_portfolio(), "public", images={}))
    for fragment in all_markers():
        assert fragment in text, fragment


def test_escaping_on_the_password_and_gone_pages():
    html = render_password_page(title=PAYLOAD, slug="camille-martin",
                                unlock_url="/p/camille-martin/unlock", failed=True)
    assert "<script>" not in html
    assert '<form method="post" action="/p/camille-martin/unlock">' in html
    assert 'name="password" type="password"' in html and 'role="alert"' in html
    assert "role=\"alert\"" not in render_password_page(
        title="x", slug="x", unlock_url="/p/x/unlock", failed=False)
    assert 'content="noindex,nofollow"' in render_gone_page()


def test_noindex_and_link_previews():
    portfolio = make_portfolio()
    hidden = page(portfolio, "recruiter", noindex=True)
    assert '<meta name="robots" content="noindex,nofollow">' in hidden
    assert 'rel="canonical"' not in hidden
    shown = page(portfolio)
    assert 'name="robots"' not in shown
    assert '<link rel="canonical" href="https://vitrine.example/p/camille-martin">' in shown
    description = ("Backend and data engineering · available from March 2027")
    assert f'<meta name="description" content="{description}">' in shown
    assert f'<meta property="og:description" content="{description}">' in shown
    assert ('<meta property="og:image" content="https://vitrine.example/p/camille-martin/'
            f'proofs/{portfolio.proofs[0].id}?thumbnail=1">') in shown


def test_theme_becomes_css_variables_with_readable_text():
    html = page(make_portfolio(theme={"primary_color": "#ffe600", "accent_color": "#00ff00",
                                      "background_color": "#ffffff", "text_color": "#eeeeee",
                                      "heading_font": "mono", "body_font": "serif"}))
    root = re.search(r":root \{ (.*?) \}", html).group(1)
    assert "--primary: #ffe600;" in root and "--on-primary: #111111;" in root
    assert '--heading-font: ui-monospace, "SFMono-Regular"' in root
    assert '--body-font: "Iowan Old Style"' in root
    variables = theme_variables({"primary_color": "#ffe600", "background_color": "#ffffff",
                                 "text_color": "#eeeeee"}, "modern")
    for name in ("text", "muted", "primary-text", "accent-text"):
        assert contrast(variables[name], variables["surface"]) >= 4.5
    assert theme_variables({"primary_color": "#0b1f3a"}, "modern")["on-primary"] == "#ffffff"


def test_partial_dates_read_naturally():
    assert format_date("2024") == "2024"
    assert format_date("2024-09") == "Sep 2024"
    assert format_date("2024-10-12") == "12 Oct 2024"
    assert format_period("2022-09", "2027-06") == "Sep 2022 – Jun 2027"
    assert format_period("2025-02", None, True) == "Feb 2025 – present"
    assert format_period(None, "2020-07") == "Jul 2020"
    assert format_period("2024-10-12", "2024-10-12") == "12 Oct 2024"


# --- PDF ---------------------------------------------------------------------------------------

def pdf_of(portfolio, audience="recruiter", images=None):
    images = images if images is not None else {
        str(proof.id): (png(f"#{index * 40:02x}2040"), "image/png")
        for index, proof in enumerate(portfolio.proofs)}
    return render_portfolio_pdf(portfolio_view(portfolio, audience), audience=audience,
                                author="Camille Martin",
                                title="Camille Martin — portfolio", proof_image=images.get)


@pytest.fixture(scope="module")
def demo_pdf():
    return PdfReader(io.BytesIO(pdf_of(make_portfolio())))


def pdf_text(reader):
    return "\n".join(sheet.extract_text() for sheet in reader.pages)


def test_pdf_text_metadata_and_pages(demo_pdf):
    text = pdf_text(demo_pdf)
    assert "Camille Martin" in text and RECRUITER_MARK in text and PRIVATE_MARK not in text
    # Non-ASCII text survives: accents, dashes, middle dots.
    for fragment in ("Vélib", "Lycée Ampère", "Jul 2024 – Dec 2024",
                     "Backend and data engineering · available", "Proven by"):
        assert fragment in text
    assert demo_pdf.metadata.title == "Camille Martin — portfolio"
    assert demo_pdf.metadata.author == "Camille Martin"
    assert 2 <= len(demo_pdf.pages) <= 4
    assert sum(len(sheet.images) for sheet in demo_pdf.pages) >= 2  # photo and screenshot
    assert demo_pdf.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4


def test_pdf_has_every_new_section_and_field():
    text = pdftotext(pdf_of(make_portfolio(), "recruiter"))
    for heading in ("LANGUAGES", "VOLUNTEERING", "AWARDS", "PUBLICATIONS", "INTERESTS"):
        assert heading in text
    assert "REFERENCES" not in text and REFERENCE_MARK not in text
    # (poppler reads a title and its dates in either order)
    for fragment in ("French Native speaker", "Coding club mentor", "Oct 2022",
                     "Grew the club from 6 to 20 regular members",
                     "Website: mjc-villeurbanne.example.org",
                     "Best student project 2024", "Jun 2024",
                     "INSA Lyon, computer science department",
                     "Read: hal.example.org/hal-04123456", "Climbing — Bouldering · Lead climbing",
                     "Warehouse management software for mid-size retailers",
                     "Website: logiflow.example.com",
                     "Courses. Distributed systems · Compilers · Databases · Operations research",
                     "pandas · FastAPI · pytest", "Academic project · INSA Lyon · Team lead"):
        assert fragment in text, fragment
    owner = pdftotext(pdf_of(make_portfolio(), "owner"))
    assert "REFERENCES" in owner and "Sophie Laurent" in owner
    assert "Camille led the forecaster team with calm and rigour" in owner


def test_pdf_public_view_leaves_out_recruiter_items():
    text = pdf_text(PdfReader(io.BytesIO(pdf_of(make_portfolio(), "public"))))
    assert PUBLIC_MARK in text and RECRUITER_MARK not in text
    assert "camille.martin@example.com" not in text


def test_pdf_layout_page_starts_a_new_sheet():
    others = [{"section": name, "hidden": True} for name in DEFAULT_ORDER
              if name not in ("profile", "skills")]
    layout = {"columns": 1, "sections": [{"section": "skills", "page": 2},
                                         {"section": "profile"}, *others]}
    reader = PdfReader(io.BytesIO(pdf_of(make_portfolio(layout=layout))))
    assert len(reader.pages) == 2
    assert "Fourth-year student" in reader.pages[0].extract_text()
    assert "SKILLS" not in reader.pages[0].extract_text()
    assert "SKILLS" in reader.pages[1].extract_text()


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args):
        pass


def test_pdf_fetches_nothing_written_by_the_user():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        html_bits = (f'<img src="{base}/img.png"> <link rel="stylesheet" href="{base}/x.css">'
                     f'<style>body {{ background: url({base}/bg.png) }}</style>')
        portfolio = make_portfolio(profile={"display_name": html_bits, "bio": html_bits})
        portfolio.projects[0].demo_url = f"{base}/demo"
        portfolio.projects[0].description = f"{base}/description.png"
        portfolio.links[0].url = f"{base}/github.png"
        reader = PdfReader(io.BytesIO(pdf_of(portfolio)))
        assert "img.png" in pdf_text(reader)  # written out as text, not loaded
        # Even where xhtml2pdf would be allowed to fetch, the link callback refuses.
        resolve = pdf._PdfResources(lambda proof_id: None)
        for uri in (f"{base}/img.png", "//127.0.0.1/x.png", "file:///etc/passwd", "/etc/passwd",
                    "../../config.py", str(pdf.STATIC_DIR / ".." / "__init__.py")):
            assert resolve(uri).startswith("data:image/gif;base64,")
        assert server.RequestHandlerClass.hits == []
    finally:
        server.shutdown()
        server.server_close()


def test_pdf_link_callback_resolves_only_our_files_and_proofs():
    proof_id = str(ObjectId())
    resolve = pdf._PdfResources({proof_id: (PNG, "image/png")}.get)
    assert resolve(f"proof:{proof_id}").startswith("data:image/jpeg;base64,")
    assert resolve(f"proof:{ObjectId()}").startswith("data:image/gif;base64,")
    stylesheet = str(pdf.STATIC_DIR / "portfolio" / "base.css")
    assert resolve(stylesheet) == stylesheet
    font = str(pdf.PDF_FONT_DIR / "Vera.ttf")
    assert resolve(font) == font


def test_pdf_escapes_user_text():
    text = pdf_text(PdfReader(io.BytesIO(pdf_of(poisoned_portfolio("classic"), images={}))))
    assert PAYLOAD in text  # shown as the text it is


def test_pdf_images_are_reencoded_and_bounded():
    big = io.BytesIO()
    Image.new("RGB", (3000, 2000), "#336699").save(big, "PNG")
    uri = pdf._embeddable_image(big.getvalue())
    assert uri.startswith("data:image/jpeg;base64,")
    with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as image:
        assert image.size == (1000, 667)
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
           b'<image xlink:href="http://127.0.0.1:9/x.png"/></svg>')
    proof_id = str(ObjectId())
    resolve = pdf._PdfResources({proof_id: (svg, "image/svg+xml")}.get)
    assert resolve(f"proof:{proof_id}").startswith("data:image/gif;base64,")
