"""The page model the templates render: a view (already cut down to one audience by
`app.services.visibility.portfolio_view`) arranged into sections in layout order and per
column, each item with its anchor and proofs, skills with the items that prove them."""
from ...catalogues import N_, page_language
from ...models.portfolio import SECTIONS
from .colours import checked_colour
from .formatting import proof_kind, translate
from .theme import css_declarations, section_variables, theme_variables

TEMPLATES = ("classic", "modern", "minimal")
# Section name (as in `layout`) → key of the view holding its items.
SECTION_KEYS = {section: field for section, (field, _) in SECTIONS.items()}
# Where sections the layout does not name go: after the named ones, in this order.
DEFAULT_ORDER = ("profile", "experiences", "volunteer", "projects", "diplomas", "awards",
                 "publications", "certifications", "trainings", "skills", "languages",
                 "interests", "profile-links", "references", "proofs")
SIDE_BY_DEFAULT = frozenset({"skills", "certifications", "trainings", "languages", "interests",
                             "profile-links"})
# In the portfolio's language; a heading the owner typed in the layout stays as typed.
DEFAULT_HEADINGS = {
    "profile": N_("About"), "profile-links": N_("Links"), "diplomas": N_("Education"),
    "certifications": N_("Certifications"), "experiences": N_("Experience"),
    "trainings": N_("Training"), "projects": N_("Projects"), "skills": N_("Skills"),
    "languages": N_("Languages"), "volunteer": N_("Volunteering"), "awards": N_("Awards"),
    "publications": N_("Publications"), "interests": N_("Interests"),
    "references": N_("References"), "proofs": N_("Documents"),
}
DEFAULT_DISPLAY = {"experiences": "timeline", "volunteer": "timeline", "projects": "cards"}
SKILL_LEVELS = {"beginner": 1, "intermediate": 2, "advanced": 3, "expert": 4}
# "Programming languages": the spoken ones have a section of their own.
SKILL_CATEGORIES = {"language": N_("Programming languages"), "framework": N_("Frameworks"),
                    "tool": N_("Tools"), "soft_skill": N_("Soft skills"),
                    "other": N_("Other skills")}
UNTITLED_PROOF = N_("Document")
# Proven-by references of a skill: field → section.
SKILL_REFERENCE_SECTIONS = {"project_ids": "projects", "certification_ids": "certifications",
                            "training_ids": "trainings"}
# What names an item, per section, for "proven by".
ITEM_NAME_FIELDS = {"projects": "name", "certifications": "name", "trainings": "title",
                    "diplomas": "title", "experiences": "role", "skills": "name",
                    "profile-links": "network", "languages": "name",
                    "volunteer": "organisation", "awards": "title", "publications": "name",
                    "interests": "name", "references": "name"}


def _item_name(section, item):
    return item.get(ITEM_NAME_FIELDS.get(section, "name")) or ""


def _proof_entries(view, proof_url, language):
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
            "id": proof["id"], "is_image": is_image,
            "title": proof.get("title") or proof.get("filename")
            or translate(UNTITLED_PROOF, language),
            "kind": proof_kind(proof.get("content_type"), language),
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


def _skill_groups(skills, language):
    groups = {}
    for skill in skills:
        groups.setdefault(skill.get("category") or "other", []).append(skill)
    ordered = [category for category in SKILL_CATEGORIES if category in groups]
    return [{"label": translate(SKILL_CATEGORIES[category], language),
             "skills": groups[category]}
            for category in ordered]


def build_page(view, proof_url):
    """The view arranged for the templates: sections in order and per column, each item with
    its anchor and proofs, skills with the items that prove them."""
    template = view.get("template") if view.get("template") in TEMPLATES else "classic"
    language = page_language(view.get("language"))
    layout = view.get("layout") or {}
    two_columns = layout.get("columns") == 2
    variables = theme_variables(view.get("theme"), template)
    proofs = _proof_entries(view, proof_url, language)
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
            "heading": (entry.get("heading") or "").strip()
            or translate(DEFAULT_HEADINGS[name], language),
            "column": column if column in ("main", "side") else "main",
            "page": entry.get("page") or 1,
            "display": style.get("display") or DEFAULT_DISPLAY.get(name, "list"),
            "font_size": style.get("font_size") or "normal",
            "style": css_declarations(section_variables(style, variables)),
            "has_background": bool(checked_colour(style.get("background_color"), None)),
            "entries": items,
            "skill_groups": _skill_groups(items, language) if name == "skills" else [],
        })
    return {
        "template": template, "language": language, "two_columns": two_columns and any(
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
