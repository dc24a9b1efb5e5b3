"""A LinkedIn data export (ZIP of CSV files) as portfolio content, and hostile archives refused.

The archives are built here with LinkedIn's real headers and awkward content (a BOM, accents,
quotes and line breaks inside fields, the files in a folder, private files beside them).
"""
import io
import json
import struct
import time
import zipfile

import pytest
from docx import Document

from app.schemas.portfolio import MAX_ITEMS_PER_SECTION, PortfolioContentSchema
from app.services import linkedin
from app.services.linkedin import ArchiveRefused, portfolio_content_from_linkedin_zip

FOLDER = "Basic_LinkedInDataExport_09-01-2025/"
# What only LinkedIn's private files and Profile.csv's private columns hold: none of it may
# reach the content.
PRIVATE = ("Rue des Secrets", "1999-04-01", "69999", "SECRET-MESSAGE", "Connie Nection",
           "connie@example.com", "INVITATION-TEXT", "skype:secret")

PROFILE = (
    "\ufeffFirst Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,"
    "Zip Code,Geo Location,Twitter Handles,Websites,Instant Messengers\r\n"
    'Élodie,"D\'Arcy ""Lo""",,"12 Rue des Secrets, Lyon",1999-04-01,'
    '"Ingénieure données — Études ""appliquées""","Première ligne.\r\nSeconde ligne, avec '
    'virgule.\r\n\r\nParagraphe deux.",Computer Software,69999,"Lyon, Auvergne-Rhône-Alpes, '
    'France",[elodie_data],"[PERSONAL:https://elodie.example.org,COMPANY:https://acme.example.com'
    ']",[skype:secret]\r\n')
EMAILS = ("Email Address,Confirmed,Primary,Updated On\r\n"
          "old@example.com,Yes,No,1/2/20 10:00 AM\r\n"
          "elodie@example.com,Yes,Yes,3/4/21 11:00 AM\r\n")
POSITIONS = (
    "Company Name,Title,Description,Location,Started On,Finished On\r\n"
    'Acme Données,"Data engineer, ""platform""","Built the pipeline:\n• ingestion\n• '
    'quality checks",Lyon,Sep 2019,\r\n'
    "École Polytechnique,Teaching assistant,,Palaiseau,2016,Jun 2018\r\n")
EDUCATION = (
    "School Name,Start Date,End Date,Notes,Degree Name,Activities\r\n"
    "INSA Lyon,2014,2019,Option « systèmes »,Master of Science - MS,Bureau des élèves\r\n"
    "Lycée du Parc,2011,2014,,,\r\n")
SKILLS = "Name\r\nPython\r\nApache Spark\r\nGestion de projet\r\n"
CERTIFICATIONS = (
    "Name,Url,Authority,Started On,Finished On,License Number\r\n"
    "AWS Certified Data Engineer,https://www.credly.com/badges/abc,Amazon Web Services,"
    "Mar 2024,Mar 2027,AWS-123\r\n")
PROJECTS = (
    "Title,Description,Url,Started On,Finished On\r\n"
    'Vélo forecast,"Predicts ""Vélo\'v"" bikes.\nTwo hours ahead.",'
    "https://github.com/elodie/velo,Feb 2024,Jun 2024\r\n"
    "Data blog,,https://blog.example.org,2023,\r\n")
LANGUAGES = ("Name,Proficiency\r\nFrançais,Native or bilingual proficiency\r\n"
             "English,Full professional proficiency\r\n")
PRIVATE_FILES = {
    "messages.csv": ("CONVERSATION ID,FROM,TO,CONTENT\r\n"
                     "1,Connie Nection,Élodie,SECRET-MESSAGE\r\n"),
    "Connections.csv": ("Notes:\r\n\"When exporting your connection data...\"\r\n\r\n"
                        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
                        "Connie,Nection,https://www.linkedin.com/in/connie,connie@example.com,"
                        "X,Y,01 Jan 2020\r\n"),
    "Invitations.csv": "From,To,Sent At,Message,Direction\r\nA,B,now,INVITATION-TEXT,OUTGOING\r\n",
}
FULL_EXPORT = {
    "Profile.csv": PROFILE, "Email Addresses.csv": EMAILS, "Positions.csv": POSITIONS,
    "Education.csv": EDUCATION, "Skills.csv": SKILLS, "Certifications.csv": CERTIFICATIONS,
    "Projects.csv": PROJECTS, "Languages.csv": LANGUAGES, **PRIVATE_FILES,
}


def zip_of(files, folder=""):
    """A ZIP (bytes) of `{name: text or bytes}`, each under `folder`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(folder + name, data.encode() if isinstance(data, str) else data)
    return buffer.getvalue()


def imported(data):
    return portfolio_content_from_linkedin_zip(io.BytesIO(data))


def refusal(data):
    """(status, message, seconds) of refusing `data`."""
    started = time.perf_counter()
    with pytest.raises(ArchiveRefused) as refused:
        imported(data)
    return refused.value.status, refused.value.message, time.perf_counter() - started


# --- a real export ------------------------------------------------------------------------------

def test_a_full_export_in_a_folder_becomes_valid_content():
    content, warnings = imported(zip_of(FULL_EXPORT, FOLDER))

    assert warnings == []
    assert PortfolioContentSchema().load(content)  # what the import service will validate
    assert content["title"] == "Élodie D'Arcy \"Lo\""
    assert content["profile"] == {
        "display_name": "Élodie D'Arcy \"Lo\"",
        "title": 'Data engineer, "platform"',
        "headline": "Ingénieure données — Études \"appliquées\"",
        "bio": "Première ligne.\nSeconde ligne, avec virgule.\n\nParagraphe deux.",
        "location": "Lyon, Auvergne-Rhône-Alpes, France",
        "email": "elodie@example.com",
    }
    assert content["links"] == [
        {"network": "Website", "url": "https://elodie.example.org"},
        {"network": "Company", "url": "https://acme.example.com"},
        {"network": "X", "url": "https://x.com/elodie_data"},
    ]
    assert content["experiences"] == [
        {"role": 'Data engineer, "platform"', "organisation": "Acme Données", "location": "Lyon",
         "start_date": "2019-09", "current": True,
         "description": "Built the pipeline:\n• ingestion\n• quality checks"},
        {"role": "Teaching assistant", "organisation": "École Polytechnique",
         "location": "Palaiseau", "start_date": "2016", "end_date": "2018-06", "current": False},
    ]
    assert content["diplomas"] == [
        {"title": "Master of Science - MS", "institution": "INSA Lyon", "level": "master",
         "start_date": "2014", "end_date": "2019",
         "description": "Option « systèmes »\n\nBureau des élèves"},
        {"title": "Lycée du Parc", "institution": "Lycée du Parc", "start_date": "2011",
         "end_date": "2014"},
    ]
    assert content["skills"] == [{"name": "Python"}, {"name": "Apache Spark"},
                                 {"name": "Gestion de projet"}]
    assert content["certifications"] == [
        {"name": "AWS Certified Data Engineer", "issuer": "Amazon Web Services",
         "issued_date": "2024-03", "expiry_date": "2027-03", "credential_id": "AWS-123",
         "credential_url": "https://www.credly.com/badges/abc"}]
    assert content["projects"] == [
        {"name": "Vélo forecast", "description": "Predicts \"Vélo'v\" bikes.\nTwo hours ahead.",
         "start_date": "2024-02", "end_date": "2024-06",
         "repository_url": "https://github.com/elodie/velo"},
        {"name": "Data blog", "start_date": "2023", "demo_url": "https://blog.example.org"},
    ]
    assert content["languages"] == [
        {"name": "Français", "fluency": "Native or bilingual proficiency"},
        {"name": "English", "fluency": "Full professional proficiency"}]


def test_private_columns_and_files_never_reach_the_content():
    content, _ = imported(zip_of(FULL_EXPORT, FOLDER))
    text = json.dumps(content, ensure_ascii=False)
    for private in PRIVATE:
        assert private not in text


def test_files_at_the_root_and_a_profile_alone_are_enough():
    content, warnings = imported(zip_of({"Profile.csv": PROFILE}))
    assert content["profile"]["display_name"] == "Élodie D'Arcy \"Lo\""
    assert "experiences" not in content and "email" not in content["profile"]
    assert warnings == []


def test_notes_before_the_header_row_are_skipped():
    notes = 'Notes:\r\n"LinkedIn adds a note here, ""quoted""."\r\n\r\n'
    content, _ = imported(zip_of({"Skills.csv": notes + SKILLS}))
    assert [skill["name"] for skill in content["skills"]] == [
        "Python", "Apache Spark", "Gestion de projet"]


@pytest.mark.parametrize("linkedin_date, stored", [
    ("Sep 2019", "2019-09"), ("Jan 2020", "2020-01"), ("2014", "2014"),
    ("September 2019", "2019-09"), ("2019-09-15", "2019-09-15"),
])
def test_dates_become_partial_iso_dates(linkedin_date, stored):
    positions = ("Company Name,Title,Description,Location,Started On,Finished On\r\n"
                 f"Acme,Engineer,,,{linkedin_date},\r\n")
    content, warnings = imported(zip_of({"Positions.csv": positions}))
    assert content["experiences"][0]["start_date"] == stored
    assert warnings == []


def test_other_dates_are_left_out_with_a_warning():
    positions = ("Company Name,Title,Description,Location,Started On,Finished On\r\n"
                 "Acme,Engineer,,,Spring 2019,Sep 2021\r\n"
                 "Beta,Analyst,,,Sep 2021,Jan 2020\r\n")
    content, warnings = imported(zip_of({"Positions.csv": positions}))
    first, second = content["experiences"]
    assert "start_date" not in first and first["end_date"] == "2021-09"
    assert first["current"] is False
    assert second["start_date"] == "2021-09" and "end_date" not in second
    assert warnings == [
        "Positions.csv row 1: started on 'Spring 2019' is not a date; left out.",
        "Positions.csv row 2: ends before it starts; end date left out."]
    assert PortfolioContentSchema().load(content)


def test_websites_plain_or_labelled_and_bad_ones_warned():
    profile = ("First Name,Last Name,Websites\r\n"
               'A,B,"[PORTFOLIO:https://folio.example.org,https://plain.example.org,'
               'www.bare.example.org,OTHER:not a url]"\r\n')
    content, warnings = imported(zip_of({"Profile.csv": profile}))
    assert content["links"] == [
        {"network": "Portfolio", "url": "https://folio.example.org"},
        {"network": "Website", "url": "https://plain.example.org"},
        {"network": "Website", "url": "https://www.bare.example.org"},
    ]
    assert len(warnings) == 1 and "not a web address" in warnings[0]


def test_long_text_is_shortened_to_the_field_limit_with_a_warning():
    profile = f"First Name,Last Name,Summary\r\nA,B,{'x' * 6000}\r\n"
    content, warnings = imported(zip_of({"Profile.csv": profile}))
    assert len(content["profile"]["bio"]) == 5000
    assert warnings == ["Profile.csv: bio shortened to 5000 characters."]


def test_only_the_rows_a_section_can_hold_are_read():
    """A 45 KB ZIP can hold 850,000 positions (19 MB of CSV): converting them all took 8 s of
    CPU and then a 503, for 100 kept. The rows past what a section holds are never read, so
    their warnings (a bad date on each) are not written either."""
    positions = ("Company Name,Title,Description,Location,Started On,Finished On\r\n"
                 + "Acme,Engineer,,,Spring 2019,\r\n" * 100_000)
    content, warnings = imported(zip_of({"Positions.csv": positions}))
    assert len(content["experiences"]) == MAX_ITEMS_PER_SECTION
    assert len(warnings) == MAX_ITEMS_PER_SECTION + 1
    assert warnings[-1] == (f"Positions.csv: only the first {MAX_ITEMS_PER_SECTION} rows are "
                            "imported.")


@pytest.mark.parametrize("degree, level", [
    ("Master of Science - MS", "master"), ("Master's degree", "master"), ("MBA", "master"),
    ("Bachelor of Arts - BA", "bachelor"), ("Licence informatique", "bachelor"),
    ("PhD, Computer Science", "doctorate"), ("Doctor of Philosophy - PhD", "doctorate"),
    ("Baccalauréat scientifique", "high_school"), ("DUT Informatique", "associate"),
    ("Diplôme d'ingénieur", None), ("Bachelor and Master (double degree)", None), (None, None),
])
def test_degree_level_only_when_clear(degree, level):
    assert linkedin.degree_level(degree) == level


# --- hostile archives ---------------------------------------------------------------------------

def zeros_zip(name, size, others=None):
    """A ZIP holding `size` zero bytes in one entry, written in 1 MB pieces (compression level
    1: a 1 GB entry takes 1 s to write and 4.5 MB), after the files `others` ({name: text})."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for other, text in (others or {}).items():
            archive.writestr(other, text.encode())
        with archive.open(name, "w", force_zip64=True) as entry:
            for _ in range(size // (1 << 20)):
                entry.write(bytes(1 << 20))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def gigabyte_bomb():
    return zeros_zip("Profile.csv", 1 << 30)


@pytest.fixture(scope="module")
def hundred_megabytes():
    return zeros_zip("Profile.csv", 100 << 20)


def test_a_declared_gigabyte_bomb_is_refused_at_once(gigabyte_bomb):
    assert len(gigabyte_bomb) < 5 * 1024 * 1024
    status, message, seconds = refusal(gigabyte_bomb)
    assert status == 413 and "20 MB" in message
    assert seconds < 0.5


def test_a_bomb_whose_headers_lie_is_refused_quickly(hundred_megabytes):
    """100 MB of zeros declared as 1,000 bytes: zipfile stops at the declared size, whose CRC
    then fails — never 100 MB inflated."""
    data = bytearray(hundred_megabytes)
    directory = data.index(b"PK\x01\x02")
    assert struct.unpack_from("<I", data, directory + 24)[0] == 100 << 20
    struct.pack_into("<I", data, directory + 24, 1000)  # the central directory's size
    status, message, seconds = refusal(bytes(data))
    assert status == 422 and "damaged" in message
    assert seconds < 0.5


def test_reading_stops_past_the_limit_whatever_the_headers_say(hundred_megabytes):
    """The reading guard on its own (the declared sizes are checked before it)."""
    with zipfile.ZipFile(io.BytesIO(hundred_megabytes)) as archive:
        started = time.perf_counter()
        with pytest.raises(ArchiveRefused) as refused:
            linkedin._read_members(archive, {"Profile.csv": archive.getinfo("Profile.csv")})
    assert refused.value.status == 413
    assert time.perf_counter() - started < 0.5


def test_the_files_read_adding_up_past_the_limit_are_refused():
    files = {name: bytes(3 << 20) for name in linkedin.LINKEDIN_FILES}
    status, message, _ = refusal(zip_of(files))
    assert status == 413 and "20 MB" in message


def test_a_complete_export_with_years_of_messages_is_imported():
    """LinkedIn's larger archive holds every message: tens of MB in files never opened, which
    cost nothing to leave closed (a bomb among them is never inflated either)."""
    row = "conv-1,Hello,Connie Nection,,Élodie,,2024-01-01 10:00:00 UTC,,SECRET-MESSAGE,INBOX,\r\n"
    messages = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT " \
               "PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,ATTACHMENTS\r\n" + row * 300_000
    assert len(messages) > linkedin.MAX_UNCOMPRESSED_BYTES
    content, _ = imported(zip_of({**FULL_EXPORT, "messages.csv": messages}, FOLDER))
    assert content["profile"]["email"] == "elodie@example.com"
    assert "SECRET-MESSAGE" not in json.dumps(content)


def test_a_bomb_in_a_file_never_read_is_left_closed():
    archive = zeros_zip("messages.csv", 200 << 20, {"Profile.csv": PROFILE})
    # Inflating the 200 MB would take seconds; the clock starts after building the archive.
    started = time.perf_counter()
    content, _ = imported(archive)
    assert content["profile"]["display_name"] == "Élodie D'Arcy \"Lo\""
    assert time.perf_counter() - started < 0.5


def test_too_many_entries_are_refused_quickly():
    files = {"Profile.csv": PROFILE, **{f"media/{index}.txt": "" for index in range(1000)}}
    status, message, seconds = refusal(zip_of(files))
    assert status == 413 and "1,000 files" in message
    assert seconds < 0.5


@pytest.mark.parametrize("name", ["export.zip", "Basic/archive.7z", "backup.tar.gz",
                                  "Rich_Media/photos.rar"])
def test_nested_archives_are_refused(name):
    status, message, _ = refusal(zip_of({"Profile.csv": PROFILE, name: b"whatever"}))
    assert status == 422 and "another archive" in message


def test_a_zip_disguised_as_a_csv_is_refused():
    status, message, _ = refusal(zip_of({"Profile.csv": zip_of({"Profile.csv": PROFILE})}))
    assert status == 422 and "is an archive" in message


@pytest.mark.parametrize("name", ["../Profile.csv", "Basic/../../Profile.csv",
                                  "/etc/Profile.csv", "C:/Profile.csv", "..\\Profile.csv"])
def test_unsafe_paths_are_refused(name):
    status, message, _ = refusal(zip_of({"Skills.csv": SKILLS, name: PROFILE}))
    assert status == 422 and "unsafe path" in message


def encrypted_zip():
    """Profile.csv flagged as encrypted (zipfile cannot write encrypted entries)."""
    data = bytearray(zip_of({"Profile.csv": PROFILE}))
    directory = data.index(b"PK\x01\x02")
    for flags_at in (6, directory + 8):  # local header, then central directory
        struct.pack_into("<H", data, flags_at, struct.unpack_from("<H", data, flags_at)[0] | 1)
    return bytes(data)


def test_encrypted_entries_are_refused():
    status, message, _ = refusal(encrypted_zip())
    assert status == 422 and "encrypted" in message


@pytest.mark.parametrize("data", [b"%PDF-1.7\n...", b"First Name,Last Name\r\nA,B\r\n", b"",
                                  b"PK\x03\x04 truncated"])
def test_what_is_not_a_zip_is_refused(data):
    status, message, _ = refusal(data)
    assert status == 415 and "not a ZIP" in message


def test_a_damaged_zip_is_refused():
    data = bytearray(zip_of({"Profile.csv": PROFILE * 20}))
    data[60:80] = bytes(20)  # inside Profile.csv's compressed bytes
    status, message, _ = refusal(bytes(data))
    assert status == 422 and "damaged" in message


def test_a_zip_without_any_linkedin_file_is_refused():
    status, message, _ = refusal(zip_of({"notes.txt": "hello", "a/b/c/Profile.csv": PROFILE}))
    assert status == 422 and "not a LinkedIn data export" in message


def word_document():
    document = Document()
    document.add_paragraph("Élodie D'Arcy, data engineer")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_cv_is_told_apart_from_a_zip_that_is_not_an_export():
    """A .docx is a ZIP too, and the CV people reach for first: say what it is."""
    status, message, _ = refusal(word_document())
    assert status == 415
    assert message.startswith("This is a Word or OpenDocument file")
    assert "JSON Resume document (.json)" in message


def test_a_zipped_json_resume_is_named():
    status, message, _ = refusal(zip_of({"cv/resume.json": "{}"}))
    assert status == 422
    assert "resume.json" in message and "import it on its own" in message


def test_a_file_twice_is_refused():
    status, _, _ = refusal(zip_of({"Profile.csv": PROFILE, "Other/Profile.csv": PROFILE}))
    assert status == 422


def test_text_that_is_not_utf8_is_refused():
    status, message, _ = refusal(zip_of({"Profile.csv": PROFILE.encode("cp1252",
                                                                        "replace")}))
    assert status == 422 and "UTF-8" in message


# --- through POST /api/v1/portfolios/import ---------------------------------------------------

def upload(client, data, filename="Basic_LinkedInDataExport.zip"):
    return client.post("/api/v1/portfolios/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), filename)})


def portfolio_count(client):
    return client.get("/api/v1/portfolios/").get_json()["pagination"]["total"]


def test_the_import_route_creates_a_private_portfolio(auth_client):
    response = upload(auth_client, zip_of(FULL_EXPORT, FOLDER))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["is_private"] is True
    assert created["import"]["source"] == "linkedin"
    assert created["import"]["sections"] == {
        "links": 3, "experiences": 2, "diplomas": 2, "certifications": 1, "projects": 2,
        "skills": 3, "languages": 2}
    assert created["import"]["warnings"] == []
    assert created["profile"]["email"] == "elodie@example.com"
    assert created["experiences"][0]["current"] is True

    stored = json.dumps(auth_client.get(f"/api/v1/portfolios/{created['id']}").get_json(),
                        ensure_ascii=False)
    assert "Ingénieure données — Études \\\"appliquées\\\"" in stored
    for private in PRIVATE:
        assert private not in stored


HOSTILE = {
    "too_many_entries": lambda: zip_of({f"{index}.txt": "" for index in range(1001)}),
    "nested_zip": lambda: zip_of({"Profile.csv": PROFILE, "inner.zip": zip_of({"a": "b"})}),
    "parent_path": lambda: zip_of({"../Profile.csv": PROFILE}),
    "encrypted": encrypted_zip,
    "not_linkedin": lambda: zip_of({"notes.txt": "hello"}),
    "truncated_zip": lambda: zip_of(FULL_EXPORT)[:200],
    # Not a ZIP, and not JSON either: a 415 saying what Import takes.
    "pdf": lambda: b"%PDF-1.7\n1 0 obj\n",
}


@pytest.mark.parametrize("name, status", [
    ("gigabyte_bomb", 413), ("too_many_entries", 413), ("nested_zip", 422),
    ("parent_path", 422), ("encrypted", 422), ("not_linkedin", 422), ("truncated_zip", 415),
    ("pdf", 415),
])
def test_hostile_archives_are_refused_and_nothing_is_created(auth_client, request, name,
                                                              status):
    data = request.getfixturevalue(name) if name == "gigabyte_bomb" else HOSTILE[name]()
    started = time.perf_counter()
    response = upload(auth_client, data)
    seconds = time.perf_counter() - started
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["code"] == status and body["message"]
    assert seconds < 1
    assert portfolio_count(auth_client) == 0
