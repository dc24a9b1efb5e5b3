"""Values as people read them: dates, numbers, free text, links, and the labels of the codes
the API stores (availability, item types, skill levels, networks, file kinds). Most are Jinja
filters. Labels and dates are in the page's `language` (English when none is given): the
labels here are the catalogue's message ids, dates are Babel's."""
import re
from datetime import date, datetime
from urllib.parse import urlsplit

from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton

from ...catalogues import N_, locale, page_language, translations
from ...models.languages import DEFAULT_LANGUAGE

AVAILABILITY_LABELS = {
    "internship": N_("Open to internships"), "job": N_("Open to job offers"),
    "freelance": N_("Available for freelance work"),
    "apprenticeship": N_("Looking for an apprenticeship"),
    "not_available": N_("Not available at the moment"),
}
TYPE_LABELS = {
    # experiences
    "internship": N_("Internship"), "job": N_("Job"), "freelance": N_("Freelance"),
    "apprenticeship": N_("Apprenticeship"), "volunteer": N_("Volunteering"),
    # trainings
    "online_course": N_("Online course"), "workshop": N_("Workshop"), "bootcamp": N_("Bootcamp"),
    # projects
    "academic": N_("Academic project"), "personal": N_("Personal project"),
    "professional": N_("Professional project"),
    # diplomas
    "high_school": N_("High school"), "associate": N_("Associate degree"),
    "bachelor": N_("Bachelor’s"), "master": N_("Master’s"), "doctorate": N_("Doctorate"),
}
SKILL_LEVEL_LABELS = {"beginner": N_("Beginner"), "intermediate": N_("Intermediate"),
                      "advanced": N_("Advanced"), "expert": N_("Expert")}
NETWORK_LABELS = {
    "github": "GitHub", "gitlab": "GitLab", "linkedin": "LinkedIn", "twitter": "X (Twitter)",
    "x": "X", "mastodon": "Mastodon", "website": N_("Website"), "blog": N_("Blog"),
    "youtube": "YouTube", "stackoverflow": "Stack Overflow", "behance": "Behance",
    "dribbble": "Dribbble", "medium": "Medium", "instagram": "Instagram",
    "bluesky": "Bluesky", "orcid": "ORCID", "kaggle": "Kaggle",
}
PROOF_KINDS = {"application/pdf": "PDF", "video/": N_("Video"), "audio/": N_("Audio"),
               "image/": N_("Image"), "text/": N_("Text")}
OTHER_PROOF_KIND = N_("File")

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# Babel pattern: "Sep 2024" / "sept. 2024" / "Sept. 2024".
MONTH_PATTERN = "MMM yyyy"
# A day: Vitrine's English puts it first ("15 Sep 2024"); another language as CLDR writes it
# (skeleton yMMMd: "15 sept. 2024", German "15. Sept. 2024" with its ordinal dot).
ENGLISH_DAY_PATTERN, DAY_SKELETON = "d MMM yyyy", "yMMMd"


def document_title(name, title):
    """A file's title: the person's name, then the portfolio's title unless it is the name
    again (as an import or a new account makes it)."""
    return " · ".join(dict.fromkeys(filter(None, (name, title))))


def translate(message, language=None):
    """`message` (a catalogue id) in `language`; English without one."""
    return translations(language).gettext(message) if message else ""


def format_date(value, language=None):
    """`2024` → "2024", `2024-09` → "Sep 2024" ("sept. 2024" in French), `2024-09-15` →
    "15 Sep 2024"; anything else as it is."""
    match = _PARTIAL_DATE.match(value or "")
    if not match:
        return value or ""
    year, month, day = match.groups()
    if not month or not 1 <= int(month) <= 12:
        return year
    try:
        moment = date(int(year), int(month), int(day or 1))
    except ValueError:  # stored before the schemas checked real dates: the month stays
        moment, day = date(int(year), int(month), 1), None
    if day:
        return format_day(moment, language)
    return babel_format_date(moment, MONTH_PATTERN, locale=locale(language))


def format_day(moment, language=None):
    """A date with its day, "15 Sep 2024", in `language`'s way ("15. Sept. 2024")."""
    if page_language(language) == DEFAULT_LANGUAGE:
        return babel_format_date(moment, ENGLISH_DAY_PATTERN, locale=locale(language))
    return format_skeleton(DAY_SKELETON, moment, locale=locale(language))


def format_period(start=None, end=None, current=False, language=None):
    """"Sep 2022 – Jun 2027", "Feb 2025 – present", or the one date known."""
    first = format_date(start, language)
    last = translate(N_("present"), language) if current else format_date(end, language)
    if first and last and first != last:
        return f"{first} – {last}"
    return first or last


def format_timestamp(value, language=None):
    """An ISO timestamp (`2026-11-21T14:41:31Z`) as its day, "21 Nov 2026"; "" if unreadable."""
    try:
        moment = datetime.fromisoformat((value or "").replace("Z", "+00:00"))
    except ValueError:
        return ""
    return format_day(moment.date(), language)


def format_number(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def paragraphs(text):
    """Free text as paragraphs (split on blank lines) of lines, for templates to join with <br>
    — so newlines show without marking anything safe."""
    blocks = re.split(r"\n\s*\n", (text or "").strip().replace("\r\n", "\n"))
    return [[line.strip() for line in block.split("\n") if line.strip()]
            for block in blocks if block.strip()]


def http_url(value):
    """The URL if it is http(s), else None (the schemas already refuse others)."""
    if isinstance(value, str) and urlsplit(value.strip()).scheme in ("http", "https"):
        return value.strip()
    return None


def url_display(value):
    """A link as people read it: host and path, without scheme, `www.` or a trailing slash."""
    parts = urlsplit(value or "")
    host = parts.netloc.removeprefix("www.")
    return (host + parts.path).rstrip("/") or value


def network_label(network, language=None):
    label = NETWORK_LABELS.get((network or "").lower())
    if label:
        return translate(label, language)
    return network.capitalize() if network else translate(N_("Link"), language)


def type_label(value, language=None):
    return translate(TYPE_LABELS.get(value), language)


def availability_label(value, language=None):
    return translate(AVAILABILITY_LABELS.get(value), language)


def skill_level_label(value, language=None):
    return translate(SKILL_LEVEL_LABELS.get(value), language)


def proof_kind(content_type, language=None):
    content_type = (content_type or "").lower()
    for prefix, label in PROOF_KINDS.items():
        if content_type.startswith(prefix):
            return translate(label, language)
    return translate(OTHER_PROOF_KIND, language)
