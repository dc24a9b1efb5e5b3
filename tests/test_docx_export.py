"""GET /api/v1/portfolios/<id>/export.docx: an editable Word document, opened here with
python-docx, holding only what the audience may see."""
import io
import zipfile

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE

from app.web.docx_export import DOCX_MIMETYPE, render_portfolio_docx
from app.web.rendering import DEFAULT_HEADINGS
from app.web.rendering.page_model import SKILL_CATEGORIES

PRIVATE_URL = "https://private-side-project.example.org/"
CONTENT = {
    "profile": {
        "display_name": "Nadia Benali", "title": "Data engineer",
        "headline": "Pipelines that do not wake anyone up at night",
        "bio": "First paragraph of the bio.\nSame paragraph, next line.\n\nSecond paragraph.",
        "location": "Lille, France", "email": "nadia@example.com", "phone": "+33 6 00 00 00 00",
        "contact_visibility": "recruiter", "availability": "job",
    },
    "links": [
        {"network": "github", "url": "https://github.com/nadia"},
        {"network": "website", "url": PRIVATE_URL, "visibility": "private"},
    ],
    "experiences": [
        {"role": "Platform engineer", "organisation": "Acme Données", "location": "Lille",
         "start_date": "2019-09", "current": True, "url": "https://acme.example.com",
         "description": "Runs the data platform.",
         "achievements": ["Cut the cloud bill by 30%", "Led the Spark 3 migration"]},
        {"role": "RECRUITER-ONLY-ROLE", "organisation": "Beta", "start_date": "2017",
         "end_date": "2019-06", "visibility": "recruiter"},
        {"role": "PRIVATE-ROLE", "organisation": "Gamma", "url": PRIVATE_URL,
         "visibility": "private"},
    ],
    "projects": [{"name": "HIDDEN-BY-LAYOUT project", "features": ["x"]}],
    "skills": [{"name": "Python", "category": "language", "level": "expert",
                "keywords": ["pandas", "PySpark"]},
               {"name": "Airflow", "category": "tool"}],
    "languages": [{"name": "French", "fluency": "Native"},
                  {"name": "Arabic", "fluency": "Professional working proficiency"}],
    "volunteer": [{"organisation": "Code Club Lille", "role": "Mentor", "start_date": "2021-01",
                   "end_date": "2022-06", "achievements": ["Taught 40 children Scratch"]}],
    "awards": [{"title": "Best data product", "awarder": "Lille Tech", "date": "2023-11"}],
    "publications": [{"name": "Streaming joins in practice", "publisher": "Data Mag",
                      "release_date": "2022", "url": "https://datamag.example.org/joins"}],
    "interests": [{"name": "Climbing", "keywords": ["bouldering", "lead"]}],
    "references": [
        {"name": "PRIVATE-REFEREE", "reference": "Private by default."},
        {"name": "RECRUITER-REFEREE", "position": "CTO, Acme", "visibility": "recruiter",
         "reference": "Nadia shipped."},
    ],
    "layout": {"sections": [{"section": "profile"},
                            {"section": "experiences", "heading": "Career"},
                            {"section": "skills"},
                            {"section": "projects", "hidden": True}]},
}
RECRUITER_ONLY = ("RECRUITER-ONLY-ROLE", "RECRUITER-REFEREE", "nadia@example.com",
                  "+33 6 00 00 00 00")
OWNER_ONLY = ("PRIVATE-ROLE", "PRIVATE-REFEREE", "private-side-project")


@pytest.fixture
def portfolio(portfolio_factory, auth_client):
    created = portfolio_factory(title="Nadia's portfolio", slug="nadia-benali")
    response = auth_client.patch(f"/api/v1/portfolios/{created['id']}", json=CONTENT)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def export(client, portfolio, audience=None):
    query = f"?audience={audience}" if audience else ""
    return client.get(f"/api/v1/portfolios/{portfolio['id']}/export.docx{query}")


def opened(response):
    assert response.status_code == 200, response.get_json()
    return docx.Document(io.BytesIO(response.data))


def everything_in(response):
    """Every part of the .docx package as text: body, relationships, properties."""
    with zipfile.ZipFile(io.BytesIO(response.data)) as package:
        return "\n".join(package.read(name).decode("utf-8", "replace")
                         for name in package.namelist())


def styled(document, style):
    return [paragraph.text for paragraph in document.paragraphs
            if paragraph.style.name == style]


def text_of(document):
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def test_an_attachment_named_after_the_slug(auth_client, portfolio):
    response = export(auth_client, portfolio)
    assert response.status_code == 200
    assert response.mimetype == DOCX_MIMETYPE
    assert response.headers["Content-Disposition"] == "attachment; filename=nadia-benali.docx"


def test_title_headings_in_layout_order_items_and_dates(auth_client, portfolio):
    document = opened(export(auth_client, portfolio))
    first, subtitle = document.paragraphs[:2]
    assert (first.style.name, first.text) == ("Title", "Nadia Benali")
    assert (subtitle.style.name, subtitle.text) == ("Subtitle", "Data engineer")
    assert document.core_properties.author == "Nadia Benali"
    assert document.core_properties.title == "Nadia Benali · Nadia's portfolio"

    headings = styled(document, "Heading 1")
    # The layout's sections first, with its headings; the others after, in the page's order.
    assert headings[:3] == ["About", "Career", "Skills"]
    assert set(headings[3:]) == {DEFAULT_HEADINGS[name] for name in (
        "volunteer", "awards", "publications", "languages", "interests", "profile-links",
        "references")}
    assert "HIDDEN-BY-LAYOUT" not in text_of(document)  # a hidden section stays out

    items = styled(document, "Heading 2")
    assert items[:3] == ["Platform engineer", "RECRUITER-ONLY-ROLE", "PRIVATE-ROLE"]
    text = text_of(document)
    assert "Acme Données · Lille · Sep 2019 – present" in text
    assert "Beta · 2017 – Jun 2019" in text
    assert "First paragraph of the bio.\nSame paragraph, next line." in text
    assert "Second paragraph." in text
    assert "Lille, France · nadia@example.com · +33 6 00 00 00 00 · Open to job offers" in text


def test_bullets_hyperlinks_and_compact_sections(auth_client, portfolio):
    document = opened(export(auth_client, portfolio))
    assert styled(document, "List Bullet") == [
        "Cut the cloud bill by 30%", "Led the Spark 3 migration", "Taught 40 children Scratch"]

    links = {hyperlink.address: hyperlink.text for paragraph in document.paragraphs
             for hyperlink in paragraph.hyperlinks}
    assert links["https://acme.example.com"] == "acme.example.com"
    assert links["https://github.com/nadia"] == "github.com/nadia"
    assert links["https://datamag.example.org/joins"] == "datamag.example.org/joins"
    assert links["mailto:nadia@example.com"] == "nadia@example.com"
    relationships = [rel for rel in document.part.rels.values()
                     if rel.reltype == RELATIONSHIP_TYPE.HYPERLINK]
    assert {rel.target_ref for rel in relationships} == set(links)
    assert all(rel.is_external for rel in relationships)

    text = text_of(document)
    # Skills one line per category, as the page groups them.
    assert f"{SKILL_CATEGORIES['language']}: Python (Expert; pandas, PySpark)" in text
    assert f"{SKILL_CATEGORIES['tool']}: Airflow" in text
    assert "French: Native" in text and "Climbing: bouldering, lead" in text


@pytest.mark.parametrize("audience, shown, hidden", [
    ("public", (), RECRUITER_ONLY + OWNER_ONLY),
    ("recruiter", RECRUITER_ONLY, OWNER_ONLY),
    ("owner", RECRUITER_ONLY + OWNER_ONLY, ()),
])
def test_only_what_the_audience_may_see(auth_client, portfolio, audience, shown, hidden):
    response = export(auth_client, portfolio, audience)
    text, package = text_of(opened(response)), everything_in(response)
    assert "Platform engineer" in text
    for value in shown:
        assert value in text
    for value in hidden:
        assert value not in package  # nowhere: not in the text, links or properties


def test_public_has_no_references_section(auth_client, portfolio):
    headings = styled(opened(export(auth_client, portfolio, "public")), "Heading 1")
    assert DEFAULT_HEADINGS["references"] not in headings


def test_a_new_portfolio_is_its_owner_name_alone(auth_client, portfolio_factory):
    document = opened(export(auth_client, portfolio_factory(title="Blank")))
    assert [paragraph.text for paragraph in document.paragraphs] == [
        auth_client.user["full_name"]]


def test_a_portfolio_titled_with_the_name_says_it_once(auth_client, portfolio):
    """Imports title the portfolio with the person's name: "Nadia Benali · Nadia Benali" is
    what a portal would list the file as."""
    response = auth_client.patch(f"/api/v1/portfolios/{portfolio['id']}",
                                 json={"title": "Nadia Benali"})
    assert response.status_code == 200, response.get_json()
    assert opened(export(auth_client, portfolio)).core_properties.title == "Nadia Benali"


def test_a_bad_audience_is_a_422(auth_client, portfolio):
    response = export(auth_client, portfolio, "everyone")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "audience": ["Must be one of: public, recruiter, owner."]}


def test_only_the_owner_exports(client, register, portfolio, auth_client):
    assert export(client, portfolio).status_code == 401
    other = register()
    response = client.get(f"/api/v1/portfolios/{portfolio['id']}/export.docx",
                          headers={"Authorization": f"Bearer {other['access_token']}"})
    assert response.status_code == 404


def test_characters_xml_cannot_hold_are_dropped_from_text_stored_before_the_api_refused_them():
    view = {"title": "Old\x0b", "language": "en",
            "profile": {"display_name": "Zoé\x00 Old", "bio": "Kept.\x0c"}}
    document = docx.Document(io.BytesIO(render_portfolio_docx(view)))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Zoé Old" in text and "Kept." in text
    assert document.core_properties.title == "Zoé Old · Old"
