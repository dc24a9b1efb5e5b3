"""The portfolio as an editable Word document (python-docx), for portals that only take Word.

Like the HTML pages and the PDF, it renders `portfolio_view(portfolio, audience)` — nothing here
decides what an audience may see — and follows the same layout (section order, headings,
hidden sections) through `rendering.page_model.build_page`. It lives beside `rendering` rather
than in app/services because it is presentation built on rendering's helpers (web → services,
never the other way).

Real Word structure so the document stays editable: Title and Subtitle styles, Heading 1 per
section and Heading 2 per item, List Bullet paragraphs, and hyperlinks as w:hyperlink elements
with external relationships (only http(s) and mailto). Documents (proofs) are not embedded.

Its words (labels, types, levels, dates) are in the portfolio's `language`, from the published
pages' catalogue (app/translations; babel.cfg extracts this module's N_ marks too).
"""
import io
import re

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import RGBColor
from flask import Response

from ..catalogues import N_
from ..services.visibility import portfolio_view
from .rendering.formatting import (
    availability_label, document_title, format_date, format_number, format_period, http_url,
    network_label, paragraphs, skill_level_label, translate, type_label, url_display,
)
from .rendering.page_model import build_page

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Style ids of python-docx's default template, set on paragraphs directly: naming a style
# makes python-docx scan every style of the document for each paragraph (seconds for a long
# portfolio; directly, a 3,000-paragraph document takes a fraction of that).
TITLE, SUBTITLE, HEADING_1, HEADING_2, LIST_BULLET = (
    "Title", "Subtitle", "Heading1", "Heading2", "ListBullet")
HYPERLINK_STYLE = "Hyperlink"
HYPERLINK_COLOUR = RGBColor(0x05, 0x63, 0xC1)
SEPARATOR = " · "
# Characters XML 1.0 cannot hold (python-docx refuses them); a pasted text may carry some.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def docx_response(portfolio, audience):
    """The attachment `<slug>.docx` of the portfolio as `audience` sees it."""
    data = render_portfolio_docx(portfolio_view(portfolio, audience))
    response = Response(data, mimetype=DOCX_MIMETYPE)
    response.headers.set("Content-Disposition", "attachment", filename=f"{portfolio.slug}.docx")
    return response


def render_portfolio_docx(view):
    """`view` as the bytes of a .docx file."""
    document = Document()
    _add_hyperlink_style(document)
    profile = view.get("profile") or {}
    name = profile.get("display_name") or view.get("title") or "Portfolio"
    language = view.get("language")
    document.core_properties.title = _clean(document_title(name, view.get("title")))
    document.core_properties.author = _clean(name)
    document.core_properties.language = language or ""

    _text(_paragraph(document, TITLE), name)
    if profile.get("title"):
        _text(_paragraph(document, SUBTITLE), profile["title"])
    if profile.get("headline"):
        _text(_paragraph(document), profile["headline"], italic=True)
    _contact_line(document, profile, language)

    for section in _sections(view):
        _text(_paragraph(document, HEADING_1), section["heading"])
        _SECTION_WRITERS[section["name"]](document, section, language)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


# --- which sections, in what order --------------------------------------------------------------

def _sections(view):
    """The page's sections in the layout's order with its headings, hidden ones left out. The
    proofs gallery is left out (no files in the document), and so is an About without a bio
    (the page shows one for the profile's documents alone)."""
    bio = (view.get("profile") or {}).get("bio")
    return [section for section in build_page(view, lambda proof_id, thumbnail: "")["sections"]
            if section["name"] in _SECTION_WRITERS and (section["name"] != "profile" or bio)]


# --- one item: title, details, dates, text, bullets, links --------------------------------------

def _details(*values):
    return [value for value in values if value]


def _entry_of(title, details=(), period="", notes=(), text=(), bullets=(), facts=(), links=()):
    """What an item shows, in order: `notes` are short lines, `facts` (label, value) pairs and
    `links` (label, URL) pairs, their labels catalogue ids; empty values are dropped when
    written."""
    return {"title": title, "details": _details(*details, period), "notes": notes,
            "text": text, "bullets": bullets, "facts": facts, "links": links}


def _experience(item, language):
    return _entry_of(
        item.get("role"), (item.get("organisation"), item.get("location"),
                           type_label(item.get("type"), language)),
        format_period(item.get("start_date"), item.get("end_date"), item.get("current"),
                      language=language),
        notes=(item.get("organisation_summary"),), text=(item.get("description"),),
        bullets=item.get("achievements") or (), links=((N_("Website"), item.get("url")),))


def _diploma(item, language):
    return _entry_of(
        item.get("title"), (item.get("institution"), item.get("field"),
                            type_label(item.get("level"), language)),
        format_period(item.get("start_date"), item.get("end_date"), language=language),
        text=(item.get("description"),), bullets=item.get("courses") or (),
        facts=((N_("Grade"), item.get("grade")),), links=((N_("Website"), item.get("url")),))


def _certification(item, language):
    return _entry_of(
        item.get("name"), (item.get("issuer"),),
        format_period(item.get("issued_date"), item.get("expiry_date"), language=language),
        facts=((N_("Credential ID"), item.get("credential_id")),),
        links=((N_("Credential"), item.get("credential_url")),))


def _training(item, language):
    hours = item.get("hours")
    return _entry_of(
        item.get("title"), (item.get("provider"), type_label(item.get("type"), language),
                            translate(N_("%(hours)s hours"), language)
                            % {"hours": format_number(hours)} if hours else None),
        format_period(item.get("start_date"), item.get("end_date"), language=language))


def _project(item, language):
    return _entry_of(
        item.get("name"), (item.get("organisation"), item.get("role"),
                           type_label(item.get("type"), language)),
        format_period(item.get("start_date"), item.get("end_date"), language=language),
        notes=(item.get("summary"),), text=(item.get("description"),),
        bullets=item.get("features") or (),
        facts=((N_("Technologies"), ", ".join(item.get("technologies") or ())),
               (N_("Challenges"), item.get("challenges"))),
        links=((N_("Code"), item.get("repository_url")), (N_("Demo"), item.get("demo_url")),
               (N_("Video"), item.get("video_url"))))


def _volunteer(item, language):
    return _entry_of(
        item.get("role") or item.get("organisation"),
        (item.get("organisation") if item.get("role") else None,),
        format_period(item.get("start_date"), item.get("end_date"), language=language),
        text=(item.get("description"),), bullets=item.get("achievements") or (),
        links=((N_("Website"), item.get("url")),))


def _award(item, language):
    return _entry_of(item.get("title"), (item.get("awarder"),),
                     format_date(item.get("date"), language), text=(item.get("description"),))


def _publication(item, language):
    return _entry_of(item.get("name"), (item.get("publisher"),),
                     format_date(item.get("release_date"), language),
                     text=(item.get("description"),), links=((N_("Link"), item.get("url")),))


def _reference(item, language):
    return _entry_of(item.get("name"), (item.get("position"), item.get("contact")),
                     text=(item.get("reference"),))


_ENTRY_FORMATTERS = {
    "experiences": _experience, "diplomas": _diploma, "certifications": _certification,
    "trainings": _training, "projects": _project, "volunteer": _volunteer, "awards": _award,
    "publications": _publication, "references": _reference,
}


def _entry(document, entry, language):
    _text(_paragraph(document, HEADING_2), entry["title"] or "")
    if entry["details"]:
        _text(_paragraph(document), SEPARATOR.join(entry["details"]), italic=True)
    for note in filter(None, entry["notes"]):
        _text(_paragraph(document), note)
    for text in entry["text"]:
        _free_text(document, text)
    for bullet in entry["bullets"]:
        _text(_paragraph(document, LIST_BULLET), bullet)
    for label, value in entry["facts"]:
        if value:
            _labelled(_paragraph(document), translate(label, language), value, language)
    links = [(label, url) for label, url in entry["links"] if http_url(url)]
    if links:
        paragraph = _paragraph(document)
        for index, (label, url) in enumerate(links):
            _text(paragraph, (SEPARATOR if index else "")
                  + _with_colon(translate(label, language), language) + " ")
            _hyperlink(paragraph, http_url(url), url_display(url))


# --- the sections: about, items, and compact ones (a line per item or group) -------------------

def _about_section(document, section, language):
    _free_text(document, section["entries"][0]["bio"])


def _items_section(document, section, language):
    """Each item as an entry (see `_entry`), by its section's formatter."""
    formatter = _ENTRY_FORMATTERS[section["name"]]
    for item in section["entries"]:
        _entry(document, formatter(item, language), language)


def _links_section(document, section, language):
    for link in section["entries"]:
        if http_url(link.get("url")):
            paragraph = _paragraph(document)
            label = link.get("label") or network_label(link.get("network"), language)
            _text(paragraph, _with_colon(label, language) + " ", bold=True)
            _hyperlink(paragraph, http_url(link["url"]), url_display(link["url"]))


def _skill_text(skill, language):
    details = _details(skill_level_label(skill.get("level"), language),
                       ", ".join(skill.get("keywords") or ()))
    return f"{skill.get('name')} ({'; '.join(details)})" if details else skill.get("name")


def _skills_section(document, section, language):
    """One line per category ("Frameworks: Flask (Advanced), React"), as the page groups them."""
    for group in section["skill_groups"]:
        _labelled(_paragraph(document), group["label"],
                  ", ".join(_skill_text(skill, language) for skill in group["skills"]), language)


def _languages_section(document, section, language):
    for spoken in section["entries"]:
        _labelled(_paragraph(document), spoken.get("name"), spoken.get("fluency"), language)


def _interests_section(document, section, language):
    for interest in section["entries"]:
        _labelled(_paragraph(document), interest.get("name"),
                  ", ".join(interest.get("keywords") or ()), language)


_SECTION_WRITERS = {
    "profile": _about_section, "profile-links": _links_section, "skills": _skills_section,
    "languages": _languages_section, "interests": _interests_section,
    **{name: _items_section for name in _ENTRY_FORMATTERS},
}


# --- paragraphs and runs ------------------------------------------------------------------------

def _clean(text):
    return _NOT_XML.sub("", str(text))


def _paragraph(document, style_id=None):
    paragraph = document.add_paragraph()
    if style_id:
        paragraph._p.get_or_add_pPr().style = style_id
    return paragraph


def _text(paragraph, text, bold=False, italic=False):
    run = paragraph.add_run(_clean(text))
    run.bold, run.italic = bold or None, italic or None
    return run


def _with_colon(label, language):
    """"Label:" as `language` writes it: French puts a non-breaking space before the colon."""
    return translate(N_("%(label)s:"), language) % {"label": label}


def _labelled(paragraph, label, value, language):
    """"Label: value" with the label in bold; the label alone when there is no value."""
    _text(paragraph, _with_colon(label, language) + " " if value else label, bold=True)
    if value:
        _text(paragraph, value)


def _free_text(document, text):
    """Blank-line separated blocks as paragraphs, single newlines as line breaks."""
    for block in paragraphs(text):
        paragraph = _paragraph(document)
        for index, line in enumerate(block):
            if index:
                paragraph.add_run().add_break()
            _text(paragraph, line)


def _contact_line(document, profile, language):
    """Location, e-mail (a mailto link), phone and availability — each only if the view holds
    it (`portfolio_view` leaves contact details out for audiences that may not see them)."""
    email = profile.get("email")
    parts = [(text, url) for text, url in (
        (profile.get("location"), None), (email, f"mailto:{email}"), (profile.get("phone"), None),
        (availability_label(profile.get("availability"), language), None)) if text]
    if not parts:
        return
    paragraph = _paragraph(document)
    for index, (text, url) in enumerate(parts):
        if index:
            _text(paragraph, SEPARATOR)
        if url:
            _hyperlink(paragraph, url, text)
        else:
            _text(paragraph, text)


def _add_hyperlink_style(document):
    """Word's usual character style for links (python-docx's default template lacks it)."""
    style = document.styles.add_style(HYPERLINK_STYLE, WD_STYLE_TYPE.CHARACTER)
    style.font.color.rgb = HYPERLINK_COLOUR
    style.font.underline = True
    style.unhide_when_used = True


def _hyperlink(paragraph, url, text):
    """A clickable link: a w:hyperlink around one run, pointing at an external relationship."""
    relationship = paragraph.part.relate_to(_clean(url), RELATIONSHIP_TYPE.HYPERLINK,
                                            is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), relationship)
    run = paragraph.add_run(_clean(text))
    run._r.get_or_add_rPr().style = HYPERLINK_STYLE
    hyperlink.append(run._r)
    paragraph._p.append(hyperlink)
