"""Values as people read them: dates, numbers, free text, links, and the labels of the codes
the API stores (availability, item types, networks, file kinds). Most are Jinja filters."""
import re
from datetime import datetime
from urllib.parse import urlsplit

AVAILABILITY_LABELS = {
    "internship": "Open to internships", "job": "Open to job offers",
    "freelance": "Available for freelance work", "apprenticeship": "Looking for an apprenticeship",
    "not_available": "Not available at the moment",
}
TYPE_LABELS = {
    # experiences
    "internship": "Internship", "job": "Job", "freelance": "Freelance",
    "apprenticeship": "Apprenticeship", "volunteer": "Volunteering",
    # trainings
    "online_course": "Online course", "workshop": "Workshop", "bootcamp": "Bootcamp",
    # projects
    "academic": "Academic project", "personal": "Personal project",
    "professional": "Professional project",
    # diplomas
    "high_school": "High school", "associate": "Associate degree", "bachelor": "Bachelor’s",
    "master": "Master’s", "doctorate": "Doctorate",
}
NETWORK_LABELS = {
    "github": "GitHub", "gitlab": "GitLab", "linkedin": "LinkedIn", "twitter": "X (Twitter)",
    "x": "X", "mastodon": "Mastodon", "website": "Website", "blog": "Blog",
    "youtube": "YouTube", "stackoverflow": "Stack Overflow", "behance": "Behance",
    "dribbble": "Dribbble", "medium": "Medium", "instagram": "Instagram",
    "bluesky": "Bluesky", "orcid": "ORCID", "kaggle": "Kaggle",
}
PROOF_KINDS = {"application/pdf": "PDF", "video/": "Video", "audio/": "Audio",
               "image/": "Image", "text/": "Text"}

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(value):
    """`2024` → "2024", `2024-09` → "Sep 2024", `2024-09-15` → "15 Sep 2024"."""
    match = _PARTIAL_DATE.match(value or "")
    if not match:
        return value or ""
    year, month, day = match.groups()
    if not month or not 1 <= int(month) <= 12:
        return year
    month_name = _MONTHS[int(month) - 1]
    return f"{int(day)} {month_name} {year}" if day else f"{month_name} {year}"


def format_period(start=None, end=None, current=False):
    """"Sep 2022 – Jun 2027", "Feb 2025 – present", or the one date known."""
    first = format_date(start)
    last = "present" if current else format_date(end)
    if first and last and first != last:
        return f"{first} – {last}"
    return first or last


def format_timestamp(value):
    """An ISO timestamp (`2026-11-21T14:41:31Z`) as its day, "21 Nov 2026"; "" if unreadable."""
    try:
        moment = datetime.fromisoformat((value or "").replace("Z", "+00:00"))
    except ValueError:
        return ""
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


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


def network_label(network):
    return NETWORK_LABELS.get((network or "").lower(), (network or "Link").capitalize())


def type_label(value):
    return TYPE_LABELS.get(value, "")


def proof_kind(content_type):
    content_type = (content_type or "").lower()
    for prefix, label in PROOF_KINDS.items():
        if content_type.startswith(prefix):
            return label
    return "File"
