"""A LinkedIn data export ("Get a copy of your data", a ZIP of CSV files) as portfolio content.

`portfolio_content_from_linkedin_zip(stream)` returns `(content, warnings)`: `content` is shaped
like `PortfolioContentSchema` input (title, profile, links and the sections), `warnings` says in
words what was left out. The import service validates and stores it.

Only the profile's own CSV files are read (LINKEDIN_FILES): everything else in the archive —
connections, messages, invitations, ads data — is never opened, and of Profile.csv only the
name, headline, summary, location and websites are kept (never the address, birth date or zip
code).

The archive is hostile until read: its headers are used to refuse early, never to accept.
Refused, with `ArchiveRefused(status, message)`: not a ZIP (415), a damaged ZIP (422), more
than MAX_ENTRIES entries, or files to read of more than MAX_UNCOMPRESSED_BYTES in all (413, from
the declared sizes, and again counting the bytes actually inflated while reading, in chunks;
the files never read, like years of messages, are never inflated and do not count), encrypted
entries, `..` or absolute paths, archives inside the archive (by name, or by magic bytes at the
start of a file we read), and an archive holding none of the files we read (422; 415 when it
is an office document, like a .docx CV).
"""
import csv
import io
import re
from itertools import islice
import zipfile
import zlib
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import urlsplit

from marshmallow import ValidationError, validate

from ..models.portfolio import (
    Certification, Diploma, Experience, Language, Profile, Project, Skill,
)
from ..schemas.portfolio import MAX_ITEMS_PER_SECTION

MB = 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 20 * MB
MAX_ENTRIES = 1000
READ_CHUNK_BYTES = 64 * 1024
# Rows read per file: what a section holds (a 45 KB ZIP can hold 850,000 positions).
MAX_ROWS = MAX_ITEMS_PER_SECTION
PROFILE, EMAILS, POSITIONS, EDUCATION = (
    "Profile.csv", "Email Addresses.csv", "Positions.csv", "Education.csv")
CERTIFICATIONS, PROJECTS, SKILLS, LANGUAGES = (
    "Certifications.csv", "Projects.csv", "Skills.csv", "Languages.csv")
# File → a column its header row has (some LinkedIn CSVs start with a few lines of notes).
LINKEDIN_FILES = {
    PROFILE: "First Name", POSITIONS: "Company Name", EDUCATION: "School Name",
    SKILLS: "Name", CERTIFICATIONS: "Name", PROJECTS: "Title", LANGUAGES: "Name",
    EMAILS: "Email Address",
}
ARCHIVE_EXTENSIONS = frozenset({
    ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".zst", ".lz", ".lzma", ".z",
    ".cab", ".jar", ".war", ".apk", ".iso", ".dmg",
})
# Entries that make a ZIP an office document: Office Open XML (.docx, .xlsx), OpenDocument.
OFFICE_DOCUMENT_MARKERS = frozenset({"[Content_Types].xml", "mimetype"})
ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"\x1f\x8b", b"BZh",
                 b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x28\xb5\x2f\xfd")
# How LinkedIn writes dates ("Sep 2019", "2014"), and ISO forms for good measure; → the
# partial ISO date Vitrine stores.
DATE_FORMATS = (("%b %Y", "%Y-%m"), ("%B %Y", "%Y-%m"), ("%Y", "%Y"), ("%Y-%m", "%Y-%m"),
                ("%Y-%m-%d", "%Y-%m-%d"))
# The kinds LinkedIn gives a website → the link's network.
WEBSITE_NETWORKS = {"PERSONAL": "Website", "COMPANY": "Company", "BLOG": "Blog",
                    "RSS": "RSS", "PORTFOLIO": "Portfolio", "OTHER": "Website"}
_WEBSITE = re.compile(r"^(?:(?P<kind>[A-Za-z_]+):(?!//))?(?P<url>.+)$")
_TWITTER_HANDLE = re.compile(r"^@?(\w{1,15})$")
CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org")
# A degree name → its level, only when exactly one of these says so.
DEGREE_LEVELS = {
    "doctorate": re.compile(r"\b(ph\.?\s?d|doctor|doctorate|doctorat|dphil)\b", re.I),
    "master": re.compile(r"\b(master'?s?|msc|m\.sc|mba|meng|m\.eng|mres|llm|mastère)\b", re.I),
    "bachelor": re.compile(r"\b(bachelor'?s?|bsc|b\.sc|ba|b\.a|beng|b\.eng|licence|"
                           r"bachelier)\b", re.I),
    "associate": re.compile(r"\b(associate'?s?|dut|bts|hnd)\b", re.I),
    "high_school": re.compile(r"\b(high school|baccalaur[ée]at|a[- ]levels?|abitur|lyc[ée]e)\b",
                              re.I),
}
_HTTP_URL = validate.URL(schemes={"http", "https"}, require_tld=True)
_EMAIL = validate.Email()
MAX_URL_LENGTH = 2048


class ArchiveRefused(Exception):
    """The upload cannot be imported: (HTTP status, message)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


def portfolio_content_from_linkedin_zip(stream):
    """`(content, warnings)` from the ZIP in the binary, seekable `stream`."""
    tables = read_linkedin_tables(stream)
    warnings = []
    convert = _Converter(warnings)
    profile, links = convert.profile((tables.get(PROFILE) or [{}])[0], tables.get(EMAILS) or [])
    experiences = convert.rows(POSITIONS, tables, convert.experience)
    if experiences and experiences[0].get("current"):
        profile["title"] = experiences[0]["role"]
    content = {
        "title": profile.get("display_name") or "Imported from LinkedIn",
        "description": "Imported from a LinkedIn data export.",
        "profile": profile,
        "links": links,
        "experiences": experiences,
        "diplomas": convert.rows(EDUCATION, tables, convert.diploma),
        "certifications": convert.rows(CERTIFICATIONS, tables, convert.certification),
        "projects": convert.rows(PROJECTS, tables, convert.project),
        "skills": convert.rows(SKILLS, tables, convert.skill),
        "languages": convert.rows(LANGUAGES, tables, convert.language),
    }
    return {key: value for key, value in content.items() if value}, warnings


# --- the archive ---------------------------------------------------------------------------------

def read_linkedin_tables(stream):
    """{file name: [row dict]} for the LINKEDIN_FILES the archive holds at its root or in one
    folder, after checking the whole archive (see the module's docstring)."""
    try:
        # zipfile's own reader of the end record (private, in every CPython 3): the entry
        # count, before ZipFile parses a directory of maybe a few hundred thousand entries.
        end_record = zipfile._EndRecData(stream)
        if end_record and end_record[zipfile._ECD_ENTRIES_TOTAL] > MAX_ENTRIES:
            raise ArchiveRefused(413, _too_many())
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ArchiveRefused(415, "The file is not a ZIP archive: upload the ZIP LinkedIn "
                                  "sent (\u201cGet a copy of your data\u201d).") from exc
    except (zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
        raise ArchiveRefused(422, f"The ZIP archive cannot be read ({exc}).") from exc
    with archive:
        members = _checked_members(archive.infolist())
        try:
            contents = _read_members(archive, members)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError,
                RuntimeError) as exc:
            raise ArchiveRefused(422, f"The ZIP archive is damaged or cannot be read "
                                      f"({exc}).") from exc
    return {name: _table(name, data) for name, data in contents.items()}


def _checked_members(infos):
    """The entries to read, by file name, once every entry of the archive passed the checks."""
    if len(infos) > MAX_ENTRIES:
        raise ArchiveRefused(413, _too_many())
    members = {}
    for info in infos:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if (path.is_absolute() or PureWindowsPath(info.filename).drive
                or ".." in path.parts):
            raise ArchiveRefused(422, f"The archive holds a file with an unsafe path "
                                      f"({info.filename!r}).")
        if info.flag_bits & 0x1:
            raise ArchiveRefused(422, "The archive holds encrypted files: export your data "
                                      "again without a password.")
        if path.suffix.lower() in ARCHIVE_EXTENSIONS:
            raise ArchiveRefused(422, f"The archive holds another archive ({path.name}); "
                                      "upload LinkedIn's export as it came.")
        if not info.is_dir() and path.name in LINKEDIN_FILES and len(path.parts) <= 2:
            if path.name in members:
                raise ArchiveRefused(422, f"The archive holds {path.name} twice; upload one "
                                          "LinkedIn export at a time.")
            members[path.name] = info
    if not members:
        raise _not_an_export([info.filename for info in infos])
    # Only what is read counts: the rest (years of messages in the larger archive) stays closed.
    if sum(info.file_size for info in members.values()) > MAX_UNCOMPRESSED_BYTES:
        raise ArchiveRefused(413, _too_big())
    return members


def _not_an_export(names):
    """The refusal of a ZIP holding none of LINKEDIN_FILES, saying what it is when it can: an
    office document (a .docx CV is a ZIP), or a zipped JSON Resume document."""
    if OFFICE_DOCUMENT_MARKERS & set(names):
        return ArchiveRefused(415, "This is a Word or OpenDocument file, a CV to read rather "
                                   "than data to import: Import takes a JSON Resume document "
                                   "(.json) or LinkedIn's data export (the .zip of \u201cGet a "
                                   "copy of your data\u201d).")
    json_files = [PurePosixPath(name).name for name in names if name.lower().endswith(".json")]
    if json_files:
        return ArchiveRefused(422, f"This ZIP is not a LinkedIn data export. It holds "
                                   f"{json_files[0]}: if that is a JSON Resume document, import "
                                   "it on its own.")
    return ArchiveRefused(422, "This ZIP is not a LinkedIn data export: none of "
                               f"{', '.join(LINKEDIN_FILES)} is in it.")


def _read_members(archive, members):
    """{file name: bytes}, each entry inflated chunk by chunk and the whole refused as soon as
    what was read passes MAX_UNCOMPRESSED_BYTES, whatever the headers said."""
    remaining = MAX_UNCOMPRESSED_BYTES
    contents = {}
    for name, info in members.items():
        data = bytearray()
        with archive.open(info) as member:
            while chunk := member.read(READ_CHUNK_BYTES):
                if not data and chunk.startswith(ARCHIVE_MAGIC):
                    raise ArchiveRefused(422, f"{info.filename} is an archive, not a CSV file.")
                remaining -= len(chunk)
                if remaining < 0:
                    raise ArchiveRefused(413, _too_big())
                data += chunk
        contents[name] = bytes(data)
    return contents


def _too_many():
    return (f"The archive holds more than {MAX_ENTRIES:,} files; a LinkedIn data export holds "
            "a few dozen.")


def _too_big():
    return (f"The profile files of the archive expand to more than "
            f"{MAX_UNCOMPRESSED_BYTES // MB} MB; LinkedIn's are far smaller.")


def _table(name, data):
    """The CSV's rows as dicts after its header row (UTF-8, with or without a BOM)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArchiveRefused(422, f"{name} is not UTF-8 text as LinkedIn writes it.") from exc
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        return _rows_after_the_header(name, rows)
    except csv.Error as exc:
        raise ArchiveRefused(422, f"{name} is not a readable CSV file ({exc}).") from exc


def _rows_after_the_header(name, rows):
    """The rows after the header row (the first holding the file's key column) as dicts, empty
    ones skipped: at most MAX_ROWS + 1, read lazily from the csv reader `rows`."""
    key_column = LINKEDIN_FILES[name]
    for row in rows:
        header = [column.strip() for column in row]
        if key_column in header:
            filled = (dict(zip(header, map(_cell, values))) for values in rows
                      if any(map(_cell, values)))
            # One row more than a section holds tells there were more; the rest is never read.
            return list(islice(filled, MAX_ROWS + 1))
    return []


def _cell(value):
    return value.replace("\r\n", "\n").strip()


# --- rows → content ------------------------------------------------------------------------------

class _Converter:
    """Turns rows into items, noting in `warnings` whatever it has to leave out or shorten."""

    def __init__(self, warnings):
        self.warnings = warnings
        # Where the row being converted comes from, for the warnings ("Positions.csv row 2").
        self.where = ""

    def rows(self, name, tables, item_of_row):
        """The items of one file, in LinkedIn's order; rows without a name are skipped, and
        those past the first MAX_ROWS too."""
        rows = tables.get(name) or []
        items = []
        for number, row in enumerate(rows[:MAX_ROWS], start=1):
            self.where = f"{name} row {number}"
            item = item_of_row(row)
            if item:
                items.append({key: value for key, value in item.items()
                              if value not in (None, "", [])})
            else:
                self.warnings.append(f"{self.where}: no name or title; left out.")
        if len(rows) > MAX_ROWS:
            self.warnings.append(f"{name}: only the first {MAX_ROWS} rows are imported.")
        return items

    # -- values

    def text(self, document, field, value):
        """`value` within the model's length limit for `document.field` (shortened, noted)."""
        limit = document._fields[field].max_length
        if value and limit and len(value) > limit:
            self.warnings.append(f"{self.where}: {field} shortened to {limit} characters.")
            return value[:limit - 1].rstrip() + "…"
        return value or None

    def date(self, value, label):
        """A LinkedIn date as a partial ISO date; anything else is left out, with a warning."""
        if not value:
            return None
        for pattern, iso in DATE_FORMATS:
            try:
                return datetime.strptime(value, pattern).strftime(iso)
            except ValueError:
                continue
        self.warnings.append(f"{self.where}: {label} {value!r} is not a date; left out.")
        return None

    def period(self, row, start_column, end_column):
        start = self.date(row.get(start_column), start_column.lower())
        end = self.date(row.get(end_column), end_column.lower())
        if start and end and end < start:
            self.warnings.append(f"{self.where}: ends before it starts; end date left out.")
            end = None
        return start, end

    def url(self, value, label="URL"):
        """An http(s) URL (scheme added to a bare domain), or None with a warning."""
        if not value:
            return None
        candidate = value if "://" in value else f"https://{value}"
        try:
            if len(candidate) <= MAX_URL_LENGTH:
                return _HTTP_URL(candidate)
        except ValidationError:
            pass
        self.warnings.append(f"{self.where}: {label} {value!r} is not a web address; left out.")
        return None

    # -- files

    def profile(self, row, emails):
        self.where = PROFILE
        name = " ".join(filter(None, (row.get("First Name"), row.get("Last Name"))))
        profile = {
            "display_name": self.text(Profile, "display_name", name),
            "headline": self.text(Profile, "headline", row.get("Headline")),
            "bio": self.text(Profile, "bio", row.get("Summary")),
            "location": self.text(Profile, "location", row.get("Geo Location")),
        }
        self.where = EMAILS
        profile["email"] = self.email(next(
            (email.get("Email Address") for email in emails
             if email.get("Primary", "").lower() == "yes"), None))
        self.where = PROFILE
        links = self.websites(row.get("Websites")) + self.twitter(row.get("Twitter Handles"))
        return {key: value for key, value in profile.items() if value}, links

    def email(self, value):
        try:
            return _EMAIL(value) if value and len(value) <= 254 else None
        except ValidationError:
            self.warnings.append(f"{EMAILS}: {value!r} is not an e-mail address; left out.")
            return None

    def websites(self, value):
        """"[PERSONAL:https://x.example,COMPANY:https://y.example]" or plain URLs."""
        links = []
        for part in (value or "").strip("[] ").split(","):
            match = _WEBSITE.match(part.strip())
            url = self.url(match["url"].strip(), "website") if match else None
            if url:
                kind = (match["kind"] or "OTHER").upper()
                links.append({"network": WEBSITE_NETWORKS.get(kind, kind.capitalize()[:40]),
                              "url": url})
        return links

    def twitter(self, value):
        links = []
        for part in (value or "").strip("[] ").split(","):
            match = _TWITTER_HANDLE.match(part.strip())
            if match:
                links.append({"network": "X", "url": f"https://x.com/{match[1]}"})
            elif part.strip():
                self.warnings.append(f"{PROFILE}: {part.strip()!r} is not an X (Twitter) "
                                     "handle; left out.")
        return links

    def experience(self, row):
        role = row.get("Title") or row.get("Company Name")
        if not role:
            return None
        start, end = self.period(row, "Started On", "Finished On")
        return {
            "role": self.text(Experience, "role", role),
            "organisation": self.text(Experience, "organisation", row.get("Company Name")),
            "location": self.text(Experience, "location", row.get("Location")),
            "start_date": start, "end_date": end,
            "current": not row.get("Finished On"),
            "description": self.text(Experience, "description", row.get("Description")),
        }

    def diploma(self, row):
        school, degree = row.get("School Name"), row.get("Degree Name")
        if not (school or degree):
            return None
        start, end = self.period(row, "Start Date", "End Date")
        description = "\n\n".join(filter(None, (row.get("Notes"), row.get("Activities"))))
        return {
            "title": self.text(Diploma, "title", degree or school),
            "institution": self.text(Diploma, "institution", school),
            "level": degree_level(degree),
            "start_date": start, "end_date": end,
            "description": self.text(Diploma, "description", description),
        }

    def certification(self, row):
        if not row.get("Name"):
            return None
        issued, expiry = self.period(row, "Started On", "Finished On")
        return {
            "name": self.text(Certification, "name", row["Name"]),
            "issuer": self.text(Certification, "issuer", row.get("Authority")),
            "issued_date": issued, "expiry_date": expiry,
            "credential_id": self.text(Certification, "credential_id",
                                       row.get("License Number")),
            "credential_url": self.url(row.get("Url")),
        }

    def project(self, row):
        if not row.get("Title"):
            return None
        start, end = self.period(row, "Started On", "Finished On")
        url = self.url(row.get("Url"))
        is_code = bool(url) and urlsplit(url).hostname.removeprefix("www.") in CODE_HOSTS
        return {
            "name": self.text(Project, "name", row["Title"]),
            "description": self.text(Project, "description", row.get("Description")),
            "start_date": start, "end_date": end,
            "repository_url" if is_code else "demo_url": url,
        }

    def skill(self, row):
        return {"name": self.text(Skill, "name", row.get("Name"))} if row.get("Name") else None

    def language(self, row):
        if not row.get("Name"):
            return None
        return {"name": self.text(Language, "name", row["Name"]),
                "fluency": self.text(Language, "fluency", row.get("Proficiency"))}


def degree_level(degree):
    """The diploma level a degree name states, when exactly one level matches."""
    levels = [level for level, pattern in DEGREE_LEVELS.items() if pattern.search(degree or "")]
    return levels[0] if len(levels) == 1 else None
