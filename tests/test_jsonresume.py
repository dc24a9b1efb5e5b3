"""JSON Resume both ways: POST /portfolios/import and GET /portfolios/<id>/export.json.

The official schema and documents are those of the npm package @jsonresume/schema 1.3.1
(app/data/jsonresume/schema.json, tests/data/jsonresume/*.resume.json, MIT).
"""
import io
import json
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from jsonschema import Draft7Validator
from werkzeug.http import parse_options_header

from app.models.portfolio import PROJECT_TYPES, Portfolio, PortfolioVersion
from app.schemas.portfolio import MAX_ITEMS_PER_SECTION
from app.services import imports, jsonresume, portfolios

API = "/api/v1/portfolios"
DATA = Path(__file__).parent / "data" / "jsonresume"
OFFICIAL_DOCUMENTS = sorted(path.name for path in DATA.glob("*.resume.json"))
SECTION_KEYS = ("work", "volunteer", "education", "awards", "certificates", "publications",
                "skills", "languages", "interests", "references", "projects")


def official(name):
    return json.loads((DATA / name).read_text())


def official_validator():
    """The vendored schema with its formats checked (uri needs rfc3986-validator)."""
    assert "uri" in Draft7Validator.FORMAT_CHECKER.checkers, "pip install rfc3986-validator"
    return Draft7Validator(jsonresume.OFFICIAL_SCHEMA,
                           format_checker=Draft7Validator.FORMAT_CHECKER)


def import_document(client, document):
    response = client.post(f"{API}/import", json=document)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def export(client, portfolio_id, audience=None):
    query = f"?audience={audience}" if audience else ""
    response = client.get(f"{API}/{portfolio_id}/export.json{query}")
    assert response.status_code == 200, response.get_json()
    return json.loads(response.data)


def portfolio_count():
    return Portfolio.objects.count()


def test_the_vendored_files_are_the_official_ones():
    assert len(OFFICIAL_DOCUMENTS) == 4
    Draft7Validator.check_schema(jsonresume.OFFICIAL_SCHEMA)
    for name in OFFICIAL_DOCUMENTS:
        assert not list(official_validator().iter_errors(official(name))), name


# --- import ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", OFFICIAL_DOCUMENTS)
def test_import_of_an_official_document_loses_nothing(auth_client, name):
    document = official(name)
    portfolio = import_document(auth_client, document)

    assert portfolio["is_private"] is True
    assert portfolio["title"] == document["basics"]["name"]
    assert portfolio["import"]["source"] == "json_resume"
    basics, profile = document["basics"], portfolio["profile"]
    assert (profile["display_name"], profile["title"], profile["bio"], profile["email"],
            profile["phone"]) == (basics["name"], basics["label"], basics["summary"],
                                  basics["email"], basics["phone"])
    location = basics["location"]
    assert profile["location"] == f"{location['city']}, {location['region']}, " \
                                  f"{location['countryCode']}"
    assert location["address"] not in json.dumps(portfolio)
    assert [(link["network"], link["url"], link.get("label")) for link in portfolio["links"]] == \
        [("Website", basics["url"], None)] + [
            (p["network"], p["url"], p["username"]) for p in basics["profiles"]]

    work = document.get("work", [])
    assert [(e["organisation"], e["role"], e["achievements"], e.get("end_date"))
            for e in portfolio["experiences"]] == \
        [(w["name"], w["position"], w["highlights"], w.get("endDate")) for w in work]
    assert [e["current"] for e in portfolio["experiences"]] == ["endDate" not in w for w in work]
    assert [(v["organisation"], v["achievements"]) for v in portfolio["volunteer"]] == \
        [(v["organization"], v["highlights"]) for v in document.get("volunteer", [])]
    assert [(d["institution"], d["title"], d["field"], d["grade"], d.get("courses", []))
            for d in portfolio["diplomas"]] == \
        [(e["institution"], e["studyType"], e["area"], e["score"], e.get("courses", []))
         for e in document.get("education", [])]
    assert [(c["name"], c["issuer"]) for c in portfolio["certifications"]] == \
        [(c["name"], c["issuer"]) for c in document.get("certificates", [])]
    assert [(p["name"], p["features"], p["technologies"]) for p in portfolio["projects"]] == \
        [(p["name"], p["highlights"], p["keywords"]) for p in document.get("projects", [])]
    assert [(s["name"], s["keywords"]) for s in portfolio["skills"]] == \
        [(s["name"], s["keywords"]) for s in document.get("skills", [])]
    for section, name_key, json_key in (("awards", "title", "title"),
                                        ("publications", "name", "name"),
                                        ("languages", "name", "language"),
                                        ("interests", "name", "name"),
                                        ("references", "name", "name")):
        assert [item[name_key] for item in portfolio[section]] == \
            [entry[json_key] for entry in document.get(section, [])], section
    # Every entry of every section is there, and the summary says so.
    counts = {key: len(document[key]) for key in SECTION_KEYS if document.get(key)}
    counts["diplomas"] = counts.pop("education")
    counts["experiences"] = counts.pop("work")
    counts["certifications"] = counts.pop("certificates", 0)
    counts["links"] = 1 + len(basics["profiles"])
    assert portfolio["import"]["sections"] == {key: n for key, n in counts.items() if n}
    # References name a third person: private, as when typed in the editor.
    assert all(reference["visibility"] == "private" for reference in portfolio["references"])


def test_the_mapping_choices_are_said_in_warnings(auth_client):
    portfolio = import_document(auth_client, official("sample.resume.json"))
    warnings = portfolio["import"]["warnings"]
    assert any(w.startswith("basics.location:") and "postal code" in w for w in warnings)
    assert any(w.startswith("projects[0].type:") and "'application'" in w for w in warnings)
    assert [skill["level"] for skill in portfolio["skills"]] == ["expert", "expert"]
    assert portfolio["diplomas"][0]["level"] == "bachelor"
    assert portfolio["projects"][0]["role"] == "Team lead, Designer"
    assert portfolio["projects"][0]["organisation"] == "Smoogle"
    assert portfolio["projects"][0]["demo_url"] == "http://missdirection.example.com"


@pytest.mark.parametrize("study_type, level", [
    ("Ph.D.", "doctorate"), ("Bachelor of Science", "bachelor"), ("MSc Physics", "master"),
    ("Associate of Applied Science", "associate"), ("High School Diploma", "high_school"),
    ("Certificate", None),
])
def test_the_diploma_level_is_guessed_only_when_clear(auth_client, study_type, level):
    portfolio = import_document(auth_client, {"education": [
        {"institution": "Somewhere", "studyType": study_type}]})
    assert portfolio["diplomas"][0].get("level") == level


def test_what_the_editor_would_refuse_is_left_out_and_said(auth_client):
    document = {
        "basics": {"name": "Zoé", "email": "not-an-email", "image": "https://x.example/me.png",
                   "profiles": [{"network": "GitHub", "username": "zoe"},
                                {"network": "Blog", "url": "javascript:alert(1)"}]},
        "work": [{"name": "No position given"},
                 {"name": "Acme", "position": "Dev", "url": "ftp://acme.example",
                  "startDate": "2020-02-30"}],
        "education": [{}],
        "skills": [{"name": "Cooking", "level": "Guru"}, {"name": "x" * 101}],
    }
    portfolio = import_document(auth_client, document)
    warnings = "\n".join(portfolio["import"]["warnings"])

    assert portfolio["profile"]["email"] is None and "profile: email left out" in warnings
    assert "basics.image" in warnings and "basics.profiles[0]: no url" in warnings
    assert portfolio["links"] == [] and "links[0] “Blog”: left out" in warnings
    # An item missing what it needs is dropped; a bad field of a good item is left out.
    assert [(e["organisation"], e.get("url"), e.get("start_date"))
            for e in portfolio["experiences"]] == [("Acme", None, None)]
    assert "experiences[0]: left out (role: Missing data for required field.)" in warnings
    assert "experiences[1] “Dev”: url left out" in warnings
    assert "experiences[1] “Dev”: start_date left out (Not a real date" in warnings
    assert portfolio["diplomas"] == [] and "diplomas[0]: left out" in warnings
    assert [(s["name"], s.get("level")) for s in portfolio["skills"]] == [("Cooking", None)]
    assert "skills[0].level: the level 'Guru'" in warnings and "skills[1]" in warnings
    assert portfolio["import"]["sections"] == {"experiences": 1, "skills": 1}
    stored = Portfolio.objects.get(id=portfolio["id"])
    assert "javascript:" not in stored.to_json() and "not-an-email" not in stored.to_json()


def test_an_item_left_out_is_said_for_what_was_wrong_with_it(auth_client):
    """A field that was there but refused is not "missing": the warning gives its own reason."""
    document = {"basics": {"url": "javascript:alert(1)",
                           "profiles": [{"network": "A network name that is far too long to be one",
                                         "url": "https://example.org/me"}]},
                "work": [{"name": "Acme", "position": "Engineer " * 30}]}
    warnings = import_document(auth_client, document)["import"]["warnings"]
    assert warnings == [
        "links[0] “Website”: left out (url: Not a valid URL.).",
        "links[1] “A network name that is far too long to be one”: left out "
        "(network: Length must be between 1 and 40.).",
        f"experiences[0] “{('Engineer ' * 30)[:60]}”: left out "
        "(role: Length must be between 1 and 200.).",
    ]


def test_entries_past_what_a_section_holds_are_said_once(auth_client):
    """40,000 skills fit in a 2 MB body: 100 are imported, and the answer says so once rather
    than carrying a warning for each of the others (40,001 of them, 4 MB, before)."""
    document = {"skills": [{"name": f"Skill {n}", "level": "Guru"} for n in range(40_000)]}
    portfolio = import_document(auth_client, document)
    warnings = portfolio["import"]["warnings"]
    assert len(portfolio["skills"]) == MAX_ITEMS_PER_SECTION
    assert warnings[0] == (f"skills: only the first {MAX_ITEMS_PER_SECTION} of 40000 entries "
                           "are imported.")
    assert len(warnings) == 1 + MAX_ITEMS_PER_SECTION  # and one for each level left out


def test_unknown_keys_are_ignored(auth_client):
    document = official("sample.resume.json")
    document["x-vitrine"] = {"anything": [1, 2]}
    document["basics"]["pronouns"] = "he/him"
    document["work"][0]["team"] = {"size": 12}
    portfolio = import_document(auth_client, document)
    assert portfolio["experiences"][0]["organisation"] == "Pied Piper"
    assert "pronouns" not in json.dumps(portfolio) and "team" not in portfolio["experiences"][0]


def test_an_empty_document_makes_an_empty_portfolio(auth_client):
    portfolio = import_document(auth_client, {})
    assert portfolio["title"] == "Imported portfolio"
    assert portfolio["slug"].startswith("imported-portfolio")
    # The owner's name, as for any new portfolio.
    assert portfolio["profile"]["display_name"] == auth_client.user["full_name"]
    assert portfolio["import"]["sections"] == {}


def test_the_slug_comes_from_the_name_and_is_unique(auth_client):
    first = import_document(auth_client, {"basics": {"name": "Zoé Durand"}})
    second = import_document(auth_client, {"basics": {"name": "Zoé Durand"}})
    assert (first["slug"], second["slug"]) == ("zoe-durand", "zoe-durand-2")


@pytest.mark.parametrize("document, errors", [
    ([], {"_schema": ["Must be an object."]}),
    ("a string", {"_schema": ["Must be an object."]}),
    ({"work": {"name": "Acme"}}, {"work": ["Must be an array."]}),
    ({"work": [{"name": "Acme", "startDate": "June 2020"}]},
     {"work[0].startDate": ["Must be a date: YYYY, YYYY-MM or YYYY-MM-DD."]}),
    ({"basics": {"name": 42, "profiles": [{"url": ["x"]}]}},
     {"basics.name": ["Must be a string."], "basics.profiles[0].url": ["Must be a string."]}),
    ({"skills": [{"name": "Go", "keywords": "go, rust"}], "projects": ["raft"]},
     {"skills[0].keywords": ["Must be an array."], "projects[0]": ["Must be an object."]}),
])
def test_a_document_that_is_not_json_resume_is_422_and_creates_nothing(auth_client, document,
                                                                       errors):
    before = portfolio_count()
    response = auth_client.post(f"{API}/import", json=document)
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["errors"] == errors
    assert body["message"].startswith("This is not a JSON Resume document: ")
    assert portfolio_count() == before


def test_a_body_that_is_not_json_is_400_and_creates_nothing(auth_client):
    before = portfolio_count()
    broken = auth_client.post(f"{API}/import", data=b'{"basics": ',
                              content_type="application/json")
    empty = auth_client.post(f"{API}/import")
    surrogate = auth_client.post(f"{API}/import", data=b'{"basics": {"name": "\\ud800"}}',
                                 content_type="application/json")
    assert (broken.status_code, empty.status_code, surrogate.status_code) == (400, 400, 400)
    assert "valid JSON" in broken.get_json()["message"]
    assert "lone surrogate" in surrogate.get_json()["message"]
    assert portfolio_count() == before


@pytest.mark.parametrize("content", [b"Camille Martin\nSoftware engineer", b"%PDF-1.7\n",
                                     b"First Name,Last Name\nCamille,Martin\n"])
def test_a_file_of_another_kind_is_415_and_creates_nothing(auth_client, content):
    before = portfolio_count()
    response = auth_client.post(f"{API}/import", content_type="multipart/form-data",
                                data={"file": (io.BytesIO(content), "cv.txt")})
    assert response.status_code == 415
    assert "JSON Resume document (.json) or LinkedIn" in response.get_json()["message"]
    assert portfolio_count() == before


def test_a_json_file_in_multipart_is_imported(auth_client):
    # With a byte order mark, as Windows editors write it, and a name that says nothing.
    data = b"\xef\xbb\xbf" + (DATA / "new-grad.resume.json").read_bytes()
    response = auth_client.post(f"{API}/import", content_type="multipart/form-data",
                                data={"file": (io.BytesIO(data), "resume.txt")})
    assert response.status_code == 201, response.get_json()
    portfolio = response.get_json()
    assert portfolio["title"] == "Maya Okonkwo" and portfolio["is_private"] is True
    assert response.headers["ETag"] == f'"{portfolio["version"]}"'
    assert Portfolio.objects.get(id=portfolio["id"]).is_private is True


def upload_file(client, data, name="resume.json"):
    return client.post(f"{API}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name)})


def test_a_utf16_json_file_is_imported(auth_client):
    """Windows PowerShell's Out-File and Notepad's "Unicode" write UTF-16 with a byte order
    mark; JSON's own rule (RFC 4627) tells the encodings apart."""
    text = json.dumps({"basics": {"name": "Zoë Müller"}}, ensure_ascii=False)
    for data in (text.encode("utf-16"), ("\ufeff" + text).encode("utf-16-be")):
        response = upload_file(auth_client, data)
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["title"] == "Zoë Müller"


def test_a_json_file_in_another_encoding_or_empty_is_said_so(auth_client):
    ansi = json.dumps({"basics": {"name": "Zoë"}}, ensure_ascii=False).encode("cp1252")
    response = upload_file(auth_client, ansi)
    assert response.status_code == 400
    assert response.get_json()["message"] == (
        "This JSON Resume document is not UTF-8 text: save it as UTF-8 and import it again.")
    response = upload_file(auth_client, b" \n")
    assert response.status_code == 400
    assert response.get_json()["message"] == "The file is empty."
    assert portfolio_count() == 0


class SlowUpload(io.BytesIO):
    """A body arriving as over a slow connection: each read waits."""

    def readinto(self, buffer):  # how werkzeug reads a request body
        time.sleep(0.6)
        return super().readinto(buffer)


def test_an_upload_slower_than_the_mongodb_deadline_is_imported(make_app, auth_client):
    """A LinkedIn export of a few MB takes seconds to upload on a slow line: reading it is
    the view's work, after the request's MongoDB deadline began (the import was a 503)."""
    client = make_app(MONGODB_TIMEOUT_MS=500).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = auth_client.environ_base["HTTP_AUTHORIZATION"]
    boundary = "vitrine-slow-upload"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"resume.json\"\r\nContent-Type: application/json\r\n\r\n").encode()
    body += (DATA / "sample.resume.json").read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    response = client.post(f"{API}/import", input_stream=SlowUpload(body),
                           content_length=len(body),
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 201, response.get_json()


def test_multipart_without_a_file_is_422(auth_client):
    response = auth_client.post(f"{API}/import", content_type="multipart/form-data",
                                data={"other": "x"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"file": ["Missing data for required field."]}


def test_over_the_size_limit_is_413_and_creates_nothing(app, auth_client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    big = json.dumps({"basics": {"summary": "x" * limit}}).encode()
    before = portfolio_count()
    as_body = auth_client.post(f"{API}/import", data=big, content_type="application/json")
    as_file = auth_client.post(f"{API}/import", content_type="multipart/form-data",
                               data={"file": (io.BytesIO(big), "resume.json")})
    assert (as_body.status_code, as_file.status_code) == (413, 413)
    for response in (as_body, as_file):
        assert response.get_json()["message"] == (
            f"A JSON Resume document may be at most {limit // 1024} KB.")
    assert portfolio_count() == before


def test_an_upload_over_the_import_limit_is_413(auth_client, monkeypatch):
    monkeypatch.setattr(imports, "IMPORT_UPLOAD_MAX_BYTES", 1 << 20)
    response = auth_client.post(f"{API}/import", content_type="multipart/form-data",
                                data={"file": (io.BytesIO(b"PK\x03\x04" + bytes(1 << 20)),
                                               "export.zip")})
    assert response.status_code == 413
    # Said in words the dialog can show, not werkzeug's "exceeds the capacity limit".
    assert response.get_json()["message"].startswith("An import may be at most 1 MB")
    assert portfolio_count() == 0


def test_the_portfolio_limit_applies(app, auth_client):
    app.config["MAX_PORTFOLIOS_PER_USER"] = 1
    import_document(auth_client, {})
    response = auth_client.post(f"{API}/import", json=official("sample.resume.json"))
    assert response.status_code == 403
    assert portfolio_count() == 1


def test_imports_racing_near_the_portfolio_limit_never_pass_it(app, auth_client, monkeypatch):
    """Ten imports at once for an account two portfolios short of its limit: every one counts
    the portfolios before any of them is stored (held there by a barrier), as they may in
    production. At most two are created (racing, one may refuse itself too), the others are
    403, and nothing of theirs stays behind."""
    app.config["MAX_PORTFOLIOS_PER_USER"] = 3
    import_document(auth_client, {})
    racers = 10
    barrier = threading.Barrier(racers, timeout=10)
    counted = portfolios.check_skill_references  # called between the count and the insert

    def after_the_count(*args, **kwargs):
        barrier.wait()
        return counted(*args, **kwargs)

    monkeypatch.setattr(portfolios, "check_skill_references", after_the_count)

    def one_import(number):
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = auth_client.environ_base["HTTP_AUTHORIZATION"]
        # Each its own name: racing for one generated address is another matter.
        document = {**official("sample.resume.json"), "basics": {"name": f"Racer {number}"}}
        return client.post(f"{API}/import", json=document).status_code

    with ThreadPoolExecutor(racers) as pool:
        statuses = sorted(pool.map(one_import, range(racers)))
    created = statuses.count(201)
    assert created <= 2 and statuses == [201] * created + [403] * (racers - created)
    assert portfolio_count() == PortfolioVersion.objects.count() == 1 + created


def test_import_needs_a_session(client):
    assert client.post(f"{API}/import", json={}).status_code == 401
    assert portfolio_count() == 0


def _zip(files=None):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        files = files or {"Profile.csv": "First Name,Last Name\nAda,Lovelace\n"}
        for name, text in files.items():
            zipped.writestr(name, text)
    return archive.getvalue()


class FakeRefusal(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


def test_a_zip_goes_to_the_linkedin_reader_and_through_the_same_validation(
        auth_client, monkeypatch):
    read = []

    def read_zip(stream):
        read.append(zipfile.ZipFile(stream).namelist())
        return {"title": "Ada Lovelace", "profile": {"display_name": "Ada Lovelace"},
                "experiences": [{"role": "Analyst", "organisation": "Babbage & Co"},
                                {"organisation": "No role"}]}, ["Connections.csv: ignored."]

    monkeypatch.setattr(imports, "linkedin", SimpleNamespace(
        portfolio_content_from_linkedin_zip=read_zip, ArchiveRefused=FakeRefusal))
    # Told by its content: the name says JSON.
    response = auth_client.post(f"{API}/import", content_type="multipart/form-data",
                                data={"file": (io.BytesIO(_zip()), "resume.json")})
    assert response.status_code == 201, response.get_json()
    portfolio = response.get_json()
    assert read == [["Profile.csv"]]
    assert portfolio["import"]["source"] == "linkedin"
    assert portfolio["import"]["sections"] == {"experiences": 1}
    assert portfolio["import"]["warnings"][0] == "Connections.csv: ignored."
    assert "experiences[1]: left out" in portfolio["import"]["warnings"][1]
    assert portfolio["is_private"] is True and portfolio["title"] == "Ada Lovelace"


def test_a_refused_archive_is_its_4xx_and_creates_nothing(auth_client, monkeypatch):
    def refuse(stream):
        raise FakeRefusal(413, "The archive expands to more than 20 MB.")

    monkeypatch.setattr(imports, "linkedin", SimpleNamespace(
        portfolio_content_from_linkedin_zip=refuse, ArchiveRefused=FakeRefusal))
    response = auth_client.post(f"{API}/import", content_type="multipart/form-data",
                                data={"file": (io.BytesIO(_zip()), "export.zip")})
    assert response.status_code == 413
    assert response.get_json()["message"] == "The archive expands to more than 20 MB."
    assert portfolio_count() == 0


def test_a_linkedin_export_is_imported_by_the_real_reader(auth_client):
    archive = _zip({
        "Basic_LinkedInDataExport/Profile.csv":
            "First Name,Last Name,Headline,Summary\nAda,Lovelace,Analyst,\"Engines, and more\"\n",
        "Basic_LinkedInDataExport/Positions.csv":
            "Company Name,Title,Description,Location,Started On,Finished On\n"
            "Babbage & Co,Analyst,,London,Sep 1842,1843\n",
    })
    response = auth_client.post(f"{API}/import", content_type="multipart/form-data",
                                data={"file": (io.BytesIO(archive), "export.zip")})
    assert response.status_code == 201, response.get_json()
    portfolio = response.get_json()
    assert portfolio["import"]["source"] == "linkedin" and portfolio["is_private"] is True
    assert [e["organisation"] for e in portfolio["experiences"]] == ["Babbage & Co"]


# --- export ------------------------------------------------------------------------------------

def expected_after_round_trip(document):
    """What an import then an owner export gives back of an official document: every entry
    of every section in the same order, with the mapping's intentional normalisations."""
    expected = {key: json.loads(json.dumps(document[key])) for key in SECTION_KEYS
                if document.get(key)}
    # Vitrine's levels are four words: "Master" is its "Expert".
    for skill in expected.get("skills", []):
        skill["level"] = {"Master": "Expert"}.get(skill["level"], skill["level"])
    # A project type is kept only when it is one of Vitrine's.
    for project in expected.get("projects", []):
        if project.get("type", "").casefold() not in PROJECT_TYPES:
            project.pop("type", None)
    basics = {key: value for key, value in document["basics"].items() if value}
    # The image is not imported; the location keeps its city, region and country code.
    basics.pop("image", None)
    basics["location"] = {key: basics["location"][key]
                          for key in ("city", "region", "countryCode")}
    expected["basics"] = basics
    return expected


@pytest.mark.parametrize("name", OFFICIAL_DOCUMENTS)
def test_import_then_export_gives_back_the_same_entries_in_the_same_order(auth_client, name):
    document = official(name)
    exported = export(auth_client, import_document(auth_client, document)["id"])
    for key, entries in expected_after_round_trip(document).items():
        assert exported[key] == entries, key
    assert set(exported) - {"$schema", "meta"} == set(expected_after_round_trip(document))


@pytest.fixture
def full_portfolio(auth_client):
    """Every section filled: an official example imported, then trainings, recruiter-only and
    private items, and contact details for recruiters only."""
    portfolio = import_document(auth_client, official("senior-engineer.resume.json"))
    experiences = portfolio["experiences"]
    experiences[1]["visibility"] = "recruiter"
    experiences[2]["visibility"] = "private"
    links = portfolio["links"]
    links[3]["visibility"] = "private"
    patch = {
        "experiences": experiences, "links": links,
        "trainings": [{"title": "Rust for systems programmers", "provider": "Ferrous",
                       "type": "workshop", "start_date": "2023-03", "end_date": "2023-03"},
                      {"title": "Old course", "start_date": "0999"}],
        "volunteer": [{"organisation": "Code Club", "role": "Mentor", "start_date": "2019",
                       "visibility": "recruiter"}],
        "profile": {"contact_visibility": "recruiter"},
    }
    response = auth_client.patch(f"{API}/{portfolio['id']}", json=patch)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("audience", ["owner", "recruiter", "public"])
def test_the_export_is_valid_against_the_official_schema(auth_client, full_portfolio, audience):
    exported = export(auth_client, full_portfolio["id"], audience)
    errors = [f"{list(error.absolute_path)}: {error.message}"
              for error in official_validator().iter_errors(exported)]
    assert errors == []
    assert exported["$schema"] == jsonresume.OFFICIAL_SCHEMA_URL
    assert exported["meta"] == {
        "canonical": f"http://localhost/p/{full_portfolio['slug']}",
        "version": f"v{full_portfolio['version']}.0.0",
        "lastModified": full_portfolio["updated_at"]}


def test_addresses_the_editor_takes_are_exported_as_uris(auth_client):
    """Vitrine takes an address as people paste it (an accent, a "|", a lone "%"); the
    schema's `uri` format (RFC 3986) wants those escaped."""
    portfolio = import_document(auth_client, {
        "basics": {"url": "https://fr.wikipedia.org/wiki/École_polytechnique",
                   "profiles": [{"network": "Blog",
                                 "url": 'https://blog.example.org/?tags=a|b&q="x"#top'}]},
        "work": [{"name": "Acme", "position": "Dev", "url": "https://acme.example/100%"}],
        "projects": [{"name": "Site", "url": "https://example.org/{id}/ça"}],
    })
    exported = export(auth_client, portfolio["id"])
    assert [f"{list(error.absolute_path)}: {error.message}"
            for error in official_validator().iter_errors(exported)] == []
    assert exported["basics"]["url"] == "https://fr.wikipedia.org/wiki/%C3%89cole_polytechnique"
    assert exported["basics"]["profiles"][0]["url"] == (
        "https://blog.example.org/?tags=a%7Cb&q=%22x%22#top")
    assert exported["work"][0]["url"] == "https://acme.example/100%25"
    assert exported["projects"][0]["url"] == "https://example.org/%7Bid%7D/%C3%A7a"
    # Imported again, an escaped address stays as it is.
    again = export(auth_client, import_document(auth_client, exported)["id"])
    assert again["basics"] == exported["basics"] and again["work"] == exported["work"]


def test_the_export_holds_what_the_audience_may_see(auth_client, full_portfolio):
    owner, recruiter, public = (export(auth_client, full_portfolio["id"], audience)
                                for audience in ("owner", "recruiter", "public"))
    organisations = {audience: [entry["name"] for entry in exported["work"]]
                     for audience, exported in (("owner", owner), ("recruiter", recruiter),
                                                ("public", public))}
    assert organisations == {"owner": ["Confluent", "Dropbox", "Rackspace"],
                             "recruiter": ["Confluent", "Dropbox"], "public": ["Confluent"]}
    assert [p["network"] for p in owner["basics"]["profiles"]] == [
        "GitHub", "Mastodon", "LinkedIn"]
    assert [p["network"] for p in public["basics"]["profiles"]] == ["GitHub", "Mastodon"]
    assert "volunteer" in recruiter and "volunteer" not in public
    # References are private unless their owner shows them.
    assert len(owner["references"]) == 2
    assert "references" not in recruiter and "references" not in public
    # Contact details follow the profile's contact visibility, as every view does.
    assert owner["basics"]["email"] == recruiter["basics"]["email"] == "lena.vasquez@example.com"
    assert "email" not in public["basics"] and "phone" not in public["basics"]
    assert "Marcus Feng" not in json.dumps(public)


def test_trainings_are_exported_as_education(auth_client, full_portfolio):
    education = export(auth_client, full_portfolio["id"])["education"]
    assert [entry.get("studyType") for entry in education] == [
        "Ph.D.", "Bachelor of Science", "Workshop", None]
    assert education[2] == {"institution": "Ferrous", "area": "Rust for systems programmers",
                            "studyType": "Workshop", "startDate": "2023-03",
                            "endDate": "2023-03"}
    # A year the official date pattern does not allow (1000-2999) is left out, not invalid.
    assert education[3] == {"area": "Old course"}


def test_vitrine_only_fields_map_to_their_nearest_json_resume_place(auth_client,
                                                                    portfolio_factory):
    portfolio = portfolio_factory(is_private=True)
    response = auth_client.patch(f"{API}/{portfolio['id']}", json={
        "profile": {"location": "Lyon, FR"},
        "links": [{"network": "GitHub", "url": "https://github.com/zoe"},
                  {"network": "website", "url": "https://zoe.example", "label": "Blog"}],
        "projects": [{"name": "Lint", "summary": "A linter.", "type": "personal",
                      "role": "Author, Maintainer",
                      "repository_url": "https://github.com/zoe/lint"}],
        "references": [{"name": "Ann Lee", "position": "CTO at Acme", "contact": "ann@acme.example",
                        "reference": "Great."}],
        "skills": [{"name": "Go", "level": "advanced"}],
    })
    assert response.status_code == 200, response.get_json()
    exported = export(auth_client, portfolio["id"])
    assert exported["basics"]["location"] == {"city": "Lyon", "countryCode": "FR"}
    # The first "Website" link is basics.url, and is not repeated among the profiles.
    assert exported["basics"]["url"] == "https://zoe.example"
    assert exported["basics"]["profiles"] == [{"network": "GitHub",
                                               "url": "https://github.com/zoe"}]
    assert exported["projects"] == [{"name": "Lint", "description": "A linter.",
                                     "url": "https://github.com/zoe/lint",
                                     "roles": ["Author", "Maintainer"], "type": "personal"}]
    assert exported["references"] == [{"name": "Ann Lee, CTO at Acme", "reference": "Great."}]
    assert exported["skills"] == [{"name": "Go", "level": "Advanced"}]


def test_the_export_is_an_attachment_named_after_the_slug(auth_client, full_portfolio):
    response = auth_client.get(f"{API}/{full_portfolio['id']}/export.json?audience=public")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert (disposition, options) == ("attachment", {"filename": f"{full_portfolio['slug']}.json"})


def test_export_refuses_an_unknown_audience_and_others_portfolios(auth_client, full_portfolio,
                                                                  client, register):
    bad = auth_client.get(f"{API}/{full_portfolio['id']}/export.json?audience=everyone")
    assert bad.status_code == 422 and "audience" in bad.get_json()["errors"]
    stranger = register()["access_token"]
    response = client.get(f"{API}/{full_portfolio['id']}/export.json",
                          headers={"Authorization": f"Bearer {stranger}"})
    assert response.status_code == 404
    assert client.get(f"{API}/{full_portfolio['id']}/export.json").status_code == 401


def test_the_import_summary_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/portfolios/import"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json",
                                                        "multipart/form-data"}
    assert "`import`" in operation["description"]
    summary = spec["components"]["schemas"]["ImportedPortfolio"]["properties"]["import"]
    assert summary["$ref"].endswith("/ImportSummary")


def test_a_hostile_archive_is_refused_by_the_real_reader_and_creates_nothing(auth_client):
    archive = _zip({"Profile.csv": "First Name\nAda\n", "../../etc/cron.d/x": "* * * * *"})
    response = auth_client.post(f"{API}/import", content_type="multipart/form-data",
                                data={"file": (io.BytesIO(archive), "export.zip")})
    assert response.status_code == 422
    assert "unsafe path" in response.get_json()["message"]
    assert portfolio_count() == 0
