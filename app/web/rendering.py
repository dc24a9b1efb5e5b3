"""How a published portfolio looks: HTML pages in three templates, and the PDF.

Everything here renders a view that `app.services.visibility.portfolio_view` already cut down
to one audience; nothing here decides what an audience may see. The routes call the four
`render_*` functions and hand in the URLs (pages, PDF, proof files) they serve.

Safety: Jinja autoescaping is on and no template marks user data safe. Colours and fonts reach
CSS only after `_colour` / `FONT_STACKS` re-check them, and links only when they are http(s).
The PDF never fetches anything: `_PdfResources` resolves the app's own static files and the
portfolio's own proofs (`proof:<id>`, bytes from GridFS), and turns every other URI into a
blank image, under an xhtml2pdf resource policy that forbids the network besides.
"""
import base64
import io
import os
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import reportlab
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from PIL import Image, ImageOps

from .security_headers import style_nonce

APP_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = APP_DIR / "static"
TEMPLATE_DIR = APP_DIR / "templates"
# Bitstream Vera ships with ReportLab (always installed with xhtml2pdf) and, unlike the PDF
# core fonts, has the typographic punctuation (— · ’ “ ” …) and Central-European letters.
PDF_FONT_DIR = Path(reportlab.__file__).resolve().parent / "fonts"
# Longest side of an image embedded in the PDF: sharp at print size, and a 20-megapixel photo
# does not make a 10 MB download.
PDF_IMAGE_PIXELS = 1000
PDF_FONT_FILES = {"regular": "Vera.ttf", "bold": "VeraBd.ttf", "italic": "VeraIt.ttf",
                  "bold_italic": "VeraBI.ttf"}

TEMPLATES = ("classic", "modern", "minimal")
# Section name (as in `layout`) → key of the view holding its items.
SECTION_KEYS = {"profile-links": "links", "diplomas": "diplomas",
                "certifications": "certifications", "experiences": "experiences",
                "trainings": "trainings", "projects": "projects", "skills": "skills"}
# Where sections the layout does not name go: after the named ones, in this order.
DEFAULT_ORDER = ("profile", "experiences", "projects", "diplomas", "certifications",
                 "trainings", "skills", "profile-links", "proofs")
SIDE_BY_DEFAULT = frozenset({"skills", "certifications", "trainings", "profile-links"})
DEFAULT_HEADINGS = {
    "profile": "About", "profile-links": "Links", "diplomas": "Education",
    "certifications": "Certifications", "experiences": "Experience", "trainings": "Training",
    "projects": "Projects", "skills": "Skills", "proofs": "Documents",
}
DEFAULT_DISPLAY = {"experiences": "timeline", "projects": "cards"}

TEMPLATE_THEMES = {
    "classic": {"primary_color": "#7b2d26", "accent_color": "#a8875a",
                "background_color": "#f6f3ee", "text_color": "#26221e",
                "heading_font": "serif", "body_font": "serif"},
    "modern": {"primary_color": "#1f4e79", "accent_color": "#e07a1f",
               "background_color": "#f3f5f9", "text_color": "#1b2330",
               "heading_font": "geometric", "body_font": "sans"},
    "minimal": {"primary_color": "#111111", "accent_color": "#555555",
                "background_color": "#ffffff", "text_color": "#161616",
                "heading_font": "system", "body_font": "system"},
}
FONT_STACKS = {
    "system": 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
              'sans-serif',
    "sans": '"Helvetica Neue", Helvetica, Arial, "Liberation Sans", "Nimbus Sans", sans-serif',
    "serif": '"Iowan Old Style", "Palatino Linotype", Palatino, "URW Palladio L", Georgia, '
             'Cambria, "Times New Roman", "Liberation Serif", serif',
    "mono": 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", '
            '"DejaVu Sans Mono", monospace',
    "humanist": 'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", source-sans-pro, '
                'sans-serif',
    "geometric": 'Avenir, "Avenir Next LT Pro", Montserrat, Corbel, "URW Gothic", '
                 'source-sans-pro, sans-serif',
}

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
SKILL_LEVELS = {"beginner": 1, "intermediate": 2, "advanced": 3, "expert": 4}
SKILL_CATEGORIES = {"language": "Languages", "framework": "Frameworks", "tool": "Tools",
                    "soft_skill": "Soft skills", "other": "Other skills"}
NETWORK_LABELS = {
    "github": "GitHub", "gitlab": "GitLab", "linkedin": "LinkedIn", "twitter": "X (Twitter)",
    "x": "X", "mastodon": "Mastodon", "website": "Website", "blog": "Blog",
    "youtube": "YouTube", "stackoverflow": "Stack Overflow", "behance": "Behance",
    "dribbble": "Dribbble", "medium": "Medium", "instagram": "Instagram",
    "bluesky": "Bluesky", "orcid": "ORCID", "kaggle": "Kaggle",
}
# Proven-by references of a skill: field → section.
SKILL_REFERENCE_SECTIONS = {"project_ids": "projects", "certification_ids": "certifications",
                            "training_ids": "trainings"}
# What names an item, per section, for "proven by" and alt texts.
ITEM_NAME_FIELDS = {"projects": "name", "certifications": "name", "trainings": "title",
                    "diplomas": "title", "experiences": "role", "skills": "name",
                    "profile-links": "network"}
PROOF_KINDS = {"application/pdf": "PDF", "video/": "Video", "audio/": "Audio",
               "image/": "Image", "text/": "Text"}

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# A URL the app built (proof files) may go into a style attribute only if it is this plain.
_CSS_VALUE = re.compile(r'^[#\w\s",.-]+$')
_PLAIN_URL = re.compile(r"^[A-Za-z0-9/._~:?=&%+-]+$")
_BLANK_GIF = ("data:image/gif;base64,"
              "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


# --- small formatting helpers (also Jinja filters) ----------------------------------------------

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


def proof_kind(content_type):
    content_type = (content_type or "").lower()
    for prefix, label in PROOF_KINDS.items():
        if content_type.startswith(prefix):
            return label
    return "File"


# --- colours ------------------------------------------------------------------------------------

def _colour(value, default):
    return value.lower() if isinstance(value, str) and _HEX.match(value) else default


def _rgb(colour):
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _hex(rgb):
    return "#" + "".join(f"{max(0, min(255, round(channel))):02x}" for channel in rgb)


def luminance(colour):
    """WCAG relative luminance of a #rrggbb colour."""
    def linear(channel):
        channel /= 255
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4
    red, green, blue = (linear(channel) for channel in _rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second):
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def mix(colour, other, amount):
    """`colour` moved `amount` (0–1) of the way towards `other`."""
    return _hex(a + (b - a) * amount for a, b in zip(_rgb(colour), _rgb(other)))


def text_on(background):
    """Black or white, whichever reads better on `background`."""
    return "#ffffff" if contrast("#ffffff", background) > contrast("#111111", background) \
        else "#111111"


def readable(colour, background, minimum=4.5):
    """`colour`, darkened or lightened just enough to reach `minimum` contrast on
    `background` (WCAG AA for text is 4.5)."""
    target = text_on(background)
    for step in range(11):
        candidate = mix(colour, target, step / 10)
        if contrast(candidate, background) >= minimum:
            return candidate
    return target


def theme_variables(theme, template):
    """CSS custom properties for the page, from the theme over the template's defaults, with
    text colours corrected wherever they would not reach AA contrast."""
    defaults = TEMPLATE_THEMES[template]
    theme = theme or {}
    primary = _colour(theme.get("primary_color"), defaults["primary_color"])
    accent = _colour(theme.get("accent_color"), defaults["accent_color"])
    background = _colour(theme.get("background_color"), defaults["background_color"])
    text = readable(_colour(theme.get("text_color"), defaults["text_color"]), background)
    light = luminance(background) > 0.4
    surface = mix(background, "#ffffff", 0.75) if light else mix(background, "#ffffff", 0.07)
    return {
        "primary": primary, "on-primary": text_on(primary),
        "primary-text": readable(primary, surface),
        "accent": accent, "on-accent": text_on(accent),
        "accent-text": readable(accent, surface),
        "background": background, "surface": surface, "text": readable(text, surface),
        "muted": readable(mix(text, background, 0.35), surface),
        "border": mix(text, background, 0.82),
        "heading-font": FONT_STACKS.get(theme.get("heading_font"),
                                        FONT_STACKS[defaults["heading_font"]]),
        "body-font": FONT_STACKS.get(theme.get("body_font"), FONT_STACKS[defaults["body_font"]]),
    }


def section_variables(style, page_variables):
    """Custom properties for one section's own colours, each text colour readable on its
    background."""
    style = style or {}
    background = _colour(style.get("background_color"), None)
    text = _colour(style.get("text_color"), None)
    heading = _colour(style.get("heading_color"), None)
    if not (background or text or heading):
        return {}
    ground = background or page_variables["surface"]
    text = readable(text or page_variables["text"], ground)
    variables = {"text": text, "muted": readable(mix(text, ground, 0.35), ground),
                 "heading": readable(heading or text, ground)}
    if background:
        variables |= {"section-background": background, "border": mix(text, ground, 0.8),
                      "primary-text": readable(page_variables["primary"], ground)}
    return variables


def css_declarations(variables):
    """`--name: value;` pairs for a <style> block, where HTML escaping would break the font
    stacks' quotes. Names are ours; values come from `_colour` and FONT_STACKS, and are checked
    once more to hold nothing that could end a declaration or the <style> element."""
    for value in variables.values():
        if not _CSS_VALUE.match(value):
            raise ValueError(f"refusing CSS value {value!r}")
    return Markup(" ".join(f"--{name}: {value};" for name, value in variables.items()))


# --- the page model the templates render ---------------------------------------------------------

def _item_name(section, item):
    return item.get(ITEM_NAME_FIELDS.get(section, "name")) or ""


def _proof_entries(view, proof_url):
    """Visible proofs grouped by the item they belong to: {(item_type, item_id): [proof]}.
    The photo and the background image are shown as such, not listed; the profile's other
    images are photos and backgrounds used before (the editor uploads them there), not
    documents: not listed either."""
    theme = view.get("theme") or {}
    shown_elsewhere = {view.get("profile", {}).get("photo_proof_id"),
                       theme.get("background_image_proof_id")}
    grouped = {}
    for proof in view.get("proofs", []):
        is_image = (proof.get("content_type") or "").startswith("image/")
        if proof.get("id") in shown_elsewhere or (is_image and proof.get("item_type") == "profile"):
            continue
        entry = {
            "id": proof["id"], "title": proof.get("title") or proof.get("filename") or "Document",
            "kind": proof_kind(proof.get("content_type")), "is_image": is_image,
            "url": proof_url(proof["id"], False),
            "thumbnail_url": proof_url(proof["id"], bool(proof.get("has_thumbnail"))),
            "width": proof.get("width"), "height": proof.get("height"),
            "item_type": proof.get("item_type"),
        }
        key = (proof.get("item_type"), None if proof.get("item_type") == "profile"
               else proof.get("item_id"))
        grouped.setdefault(key, []).append(entry)
    return grouped


def _layout_entries(view):
    """(section name, layout entry) in display order: the layout's sections first, then the
    others in DEFAULT_ORDER. `proofs` (a gallery of every document) shows only when the layout
    asks for it, since each proof already appears beside its item."""
    layout = view.get("layout") or {}
    named = {entry["section"]: entry for entry in layout.get("sections") or ()
             if entry.get("section") in DEFAULT_HEADINGS}
    order = list(named) + [name for name in DEFAULT_ORDER if name not in named
                           and name != "proofs"]
    return [(name, named.get(name)) for name in order]


def _skill_groups(skills):
    groups = {}
    for skill in skills:
        groups.setdefault(skill.get("category") or "other", []).append(skill)
    ordered = [category for category in SKILL_CATEGORIES if category in groups]
    return [{"label": SKILL_CATEGORIES[category], "skills": groups[category]}
            for category in ordered]


def build_page(view, proof_url):
    """The view arranged for the templates: sections in order and per column, each item with
    its anchor and proofs, skills with the items that prove them."""
    template = view.get("template") if view.get("template") in TEMPLATES else "classic"
    layout = view.get("layout") or {}
    two_columns = layout.get("columns") == 2
    variables = theme_variables(view.get("theme"), template)
    proofs = _proof_entries(view, proof_url)
    entries = _layout_entries(view)
    shown = {name for name, entry in entries if not (entry or {}).get("hidden")}

    anchors = {}
    for section, key in SECTION_KEYS.items():
        for item in view.get(key, []):
            anchors[(section, item.get("id"))] = {
                "anchor": f"{section}-{item.get('id')}", "name": _item_name(section, item),
                "linked": section in shown}

    sections = []
    for name, entry in entries:
        entry = entry or {}
        if entry.get("hidden"):
            continue
        items = _section_items(name, view, proofs, anchors)
        if not items:
            continue
        style = entry.get("style") or {}
        default_column = "side" if name in SIDE_BY_DEFAULT else "main"
        column = (entry.get("column") if entry else default_column) if two_columns else "main"
        sections.append({
            "name": name, "id": f"section-{name}",
            "heading": (entry.get("heading") or "").strip() or DEFAULT_HEADINGS[name],
            "column": column if column in ("main", "side") else "main",
            "page": entry.get("page") or 1,
            "display": style.get("display") or DEFAULT_DISPLAY.get(name, "list"),
            "font_size": style.get("font_size") or "normal",
            "style": css_declarations(section_variables(style, variables)),
            "has_background": bool(_colour(style.get("background_color"), None)),
            "entries": items,
            "skill_groups": _skill_groups(items) if name == "skills" else [],
        })
    return {
        "template": template, "two_columns": two_columns and any(
            section["column"] == "side" for section in sections),
        "sidebar": "left" if layout.get("sidebar") == "left" else "right",
        "density": "compact" if layout.get("density") == "compact" else "comfortable",
        "variables": css_declarations(variables), "colours": variables,
        "main": [section for section in sections if section["column"] == "main"],
        "side": [section for section in sections if section["column"] == "side"],
        "sections": sections,
        "profile_proofs": proofs.get(("profile", None), []),
    }


def _section_items(name, view, proofs, anchors):
    if name == "profile":
        profile = view.get("profile") or {}
        profile_proofs = proofs.get(("profile", None), [])
        if not profile.get("bio") and not profile_proofs:
            return []
        return [{"bio": profile.get("bio"), "proofs": profile_proofs}]
    if name == "proofs":
        return [proof for group in proofs.values() for proof in group]
    items = []
    for item in view.get(SECTION_KEYS[name], []):
        item = dict(item, anchor=f"{name}-{item.get('id')}",
                    proofs=proofs.get((name, item.get("id")), []))
        if name == "skills":
            item["proven_by"] = [
                anchors[(section, ref)]
                for field, section in SKILL_REFERENCE_SECTIONS.items()
                for ref in item.get(field) or () if (section, ref) in anchors]
            item["level_rank"] = SKILL_LEVELS.get(item.get("level"), 0)
        items.append(item)
    return items


# --- Jinja -------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
@lru_cache(maxsize=None)
def stylesheet(name):
    """One of our own stylesheets, inlined so a page makes no other request (read once)."""
    return Markup((STATIC_DIR / "portfolio" / f"{name}.css").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def environment():
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR),
                      autoescape=select_autoescape(("html",), default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(date=format_date, number=format_number, paragraphs=paragraphs,
                       http_url=http_url, url_display=url_display, network=network_label,
                       type_label=lambda value: TYPE_LABELS.get(value, ""))
    env.globals.update(period=format_period, stylesheet=stylesheet, csp_nonce=style_nonce,
                       availability_labels=AVAILABILITY_LABELS)
    return env


def css_url(url):
    """`url("...")` for a <style> element, or None: only a URL of plain characters, which can
    end neither the CSS string nor the element (HTML escaping does not apply inside <style>)."""
    return Markup(f'url("{url}")') if url and _PLAIN_URL.match(url) else None


def _render(template_name, **context):
    return environment().get_template(template_name).render(**context)


def _summary(view):
    """One or two sentences for the meta description and link previews."""
    profile = view.get("profile") or {}
    text = profile.get("headline") or profile.get("bio") or view.get("description") \
        or profile.get("title") or view.get("title") or ""
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:197].rsplit(" ", 1)[0] + "…"


def _updated(view):
    try:
        moment = datetime.fromisoformat((view.get("updated_at") or "").replace("Z", "+00:00"))
    except ValueError:
        return ""
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def render_portfolio_page(view, *, audience, proof_url, page_url, pdf_url, noindex):
    """The full HTML page of `view` in its template."""
    page = build_page(view, proof_url)
    profile = view.get("profile") or {}
    photo_id = profile.get("photo_proof_id")
    photo_url = proof_url(photo_id, True) if photo_id else None
    background_id = (view.get("theme") or {}).get("background_image_proof_id")
    background_url = proof_url(background_id, False) if background_id else None
    name = profile.get("display_name") or view.get("title") or "Portfolio"
    return _render(
        f"portfolio/{page['template']}.html", view=view, page=page, profile=profile,
        audience=audience, name=name, summary=_summary(view), updated=_updated(view),
        photo_url=photo_url,
        og_image=urljoin(page_url, photo_url) if photo_url else None,
        background_image=css_url(background_url),
        page_url=page_url, pdf_url=pdf_url, noindex=noindex)


def render_password_page(*, title, slug, unlock_url, error):
    """The form a password-protected portfolio shows until unlocked (POSTs `password`)."""
    return _render("portfolio/password.html", title=title, slug=slug, unlock_url=unlock_url,
                   error=error)


def render_error_page(*, code, status, message):
    """The HTML error page of the visitor-facing routes (the API answers JSON)."""
    return _render("portfolio/error.html", code=code, status=status, message=message)


def render_gone_page(*, message):
    """The friendly 410 page of an expired or revoked recruiter link."""
    return _render("portfolio/gone.html", message=message)


# --- PDF ---------------------------------------------------------------------------------------

class _PdfResources:
    """xhtml2pdf's link_callback: our static files and `proof:<id>` URIs, nothing else.

    Anything else — a URL somebody typed, a relative path, `file:` — becomes a blank image, so
    xhtml2pdf never goes looking for it (returning nothing would make it fetch the original).
    """

    def __init__(self, proof_image):
        self.proof_image = proof_image

    def __call__(self, uri, rel=None):
        uri = str(uri or "")
        if uri.startswith("proof:"):
            found = self.proof_image(uri.removeprefix("proof:"))
            return (_embeddable_image(found[0]) if found else None) or _BLANK_GIF
        if uri.startswith("/") and not uri.startswith("//"):
            path = Path(os.path.normpath(uri))
            for root in (STATIC_DIR, PDF_FONT_DIR):
                if path.is_relative_to(root) and path.is_file():
                    return str(path)
        return _BLANK_GIF


def _embeddable_image(data):
    """An image proof as a data URI of bounded size (PDF_IMAGE_PIXELS on its longer side),
    re-encoded by Pillow; None for anything Pillow does not read as a raster image — an SVG,
    for one, could point xhtml2pdf at outside files."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (PDF_IMAGE_PIXELS, PDF_IMAGE_PIXELS))
            image = ImageOps.exif_transpose(image)
            image.thumbnail((PDF_IMAGE_PIXELS, PDF_IMAGE_PIXELS))
            encoded = io.BytesIO()
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                image.convert("RGBA").save(encoded, "PNG", optimize=True)
                content_type = "image/png"
            else:
                image.convert("RGB").save(encoded, "JPEG", quality=85)
                content_type = "image/jpeg"
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return f"data:{content_type};base64,{base64.b64encode(encoded.getvalue()).decode()}"


def _fit(proof, box):
    """Width and height of `proof` scaled to fit a `box`-point square (square if unknown)."""
    width, height = (proof or {}).get("width"), (proof or {}).get("height")
    if not width or not height:
        return box, box
    scale = box / max(width, height)
    return round(width * scale), round(height * scale)


def _pdf_policy():
    from xhtml2pdf.config.resources import ResourceAccessPolicy
    return ResourceAccessPolicy.server(STATIC_DIR, allow_remote=False,
                                       extra_roots=(PDF_FONT_DIR,))


def render_portfolio_pdf(view, *, audience, author, title, proof_image, file_url=None):
    """`view` as an A4 PDF through the print template. `proof_image(proof_id)` returns the
    image bytes and content type from GridFS (or None); nothing is fetched over the network.
    `file_url(proof_id)`, when given, is the address documents (PDF, video...) are linked to."""
    from xhtml2pdf import pisa

    page = build_page(view, lambda proof_id, thumbnail: f"proof:{proof_id}")
    profile = view.get("profile") or {}
    photo_id = profile.get("photo_proof_id")
    html = _render(
        "portfolio/print.html", view=view, page=page, profile=profile, audience=audience,
        name=profile.get("display_name") or view.get("title") or "Portfolio",
        document_title=title, author=author, updated=_updated(view),
        photo_url=f"proof:{photo_id}" if photo_id else None, file_url=file_url,
        photo_size=_fit(next((proof for proof in view.get("proofs", ())
                              if proof.get("id") == photo_id), None), 68),
        ink=readable(page["colours"]["primary"], "#ffffff"),
        fonts={style: str(PDF_FONT_DIR / filename) for style, filename in PDF_FONT_FILES.items()})
    output = io.BytesIO()
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8",
                            link_callback=_PdfResources(proof_image),
                            resource_policy=_pdf_policy())
    if result.err:
        raise RuntimeError(f"PDF rendering failed with {result.err} error(s)")
    return output.getvalue()
