"""The one visibility rule: what each audience may see of a portfolio.

Every output — public and recruiter HTML, JSON, PDF, proof files — is built from
`portfolio_view(portfolio, audience)` or asks `proof_visible_to`. Nothing else decides.

- `public` sees public items; `recruiter` sees public and recruiter items; `owner` sees all.
- A skill's references to items the audience cannot see are dropped.
- Sections left empty disappear (the key is absent from the view, and from the layout).
- Internal fields (owner, password hash, history, GridFS ids) never appear.
"""
from ..models.portfolio import AUDIENCES, SECTIONS
from ..schemas.portfolio import (
    SECTION_SCHEMAS, LayoutSchema, ProfileSchema, ProofSchema, ThemeSchema,
)
from .portfolios import SKILL_REFERENCES

_VISIBLE = {
    "public": frozenset({"public"}),
    "recruiter": frozenset({"public", "recruiter"}),
    "owner": frozenset({"public", "recruiter", "private"}),
}
# Stricter first: the effective visibility of a proof is the stricter of its own and its item's.
_STRICTNESS = {"public": 0, "recruiter": 1, "private": 2}
PROFILE_CONTACT_FIELDS = ("email", "phone")
# Built once: constructing marshmallow schemas costs more than dumping with them.
_PROFILE_SCHEMA = ProfileSchema()
_THEME_SCHEMA = ThemeSchema()
_LAYOUT_SCHEMA = LayoutSchema()
_PROOFS_SCHEMA = ProofSchema(many=True, exclude=("sha256",))
_SECTION_SCHEMAS = {section: schema(many=True) for section, schema in SECTION_SCHEMAS.items()}


def can_see(audience, visibility):
    return (visibility or "private") in _VISIBLE[audience]


def item_of(portfolio, item_type, item_id):
    """The item a proof is attached to (`item_type` is a section name or "profile")."""
    if item_type == "profile":
        return portfolio.profile
    field, _ = SECTIONS.get(item_type, (None, None))
    for item in getattr(portfolio, field, None) or ():
        if item.id == item_id:
            return item
    return None


def effective_proof_visibility(portfolio, proof):
    """The stricter of the proof's own visibility and its item's; a proof whose item is gone
    is private."""
    item = item_of(portfolio, proof.item_type, proof.item_id)
    if item is None:
        return "private"
    item_visibility = "public" if proof.item_type == "profile" else item.visibility
    return max(proof.visibility or "private", item_visibility or "private",
               key=_STRICTNESS.__getitem__)


def proof_visible_to(portfolio, proof, audience):
    return can_see(audience, effective_proof_visibility(portfolio, proof))


def visible_proofs(portfolio, audience):
    return [proof for proof in portfolio.proofs if proof_visible_to(portfolio, proof, audience)]


def _profile_view(portfolio, audience, visible_proof_ids):
    profile = _PROFILE_SCHEMA.dump(portfolio.profile) if portfolio.profile else {}
    if not can_see(audience, profile.get("contact_visibility", "recruiter")):
        for field in PROFILE_CONTACT_FIELDS:
            profile.pop(field, None)
    if profile.get("photo_proof_id") not in visible_proof_ids:
        profile.pop("photo_proof_id", None)
    if audience != "owner":
        profile.pop("contact_visibility", None)
    return {key: value for key, value in profile.items() if value not in (None, "", [])}


def portfolio_view(portfolio, audience):
    """The portfolio as `audience` may see it, as plain JSON-ready data."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    proofs = visible_proofs(portfolio, audience)
    visible_proof_ids = {str(proof.id) for proof in proofs}
    view = {
        "slug": portfolio.slug,
        "title": portfolio.title,
        "description": portfolio.description,
        "template": portfolio.template,
        "language": portfolio.language,
        "theme": _THEME_SCHEMA.dump(portfolio.theme or {}),
        "layout": _LAYOUT_SCHEMA.dump(portfolio.layout or {}),
        "updated_at": portfolio.updated_at.isoformat(timespec="seconds") + "Z",
        "profile": _profile_view(portfolio, audience, visible_proof_ids),
    }
    if view["theme"].get("background_image_proof_id") not in visible_proof_ids:
        view["theme"].pop("background_image_proof_id", None)

    visible_ids = {}
    for section, (field, _) in SECTIONS.items():
        items = [item for item in getattr(portfolio, field) if can_see(audience, item.visibility)]
        visible_ids[field] = {str(item.id) for item in items}
        dumped = _SECTION_SCHEMAS[section].dump(items)
        if audience == "public":
            for item in dumped:
                item.pop("visibility", None)
        view[field] = dumped
    for skill in view["skills"]:
        for ref_field, section_field in SKILL_REFERENCES.items():
            skill[ref_field] = [ref for ref in skill.get(ref_field, [])
                                if ref in visible_ids[section_field]]
    view["proofs"] = _PROOFS_SCHEMA.dump(proofs)
    view = {key: value for key, value in view.items() if value not in ([], None)}
    # A section that disappeared leaves the layout too: its heading may name what it hides.
    if "sections" in view["layout"]:
        view["layout"]["sections"] = [
            entry for entry in view["layout"]["sections"]
            if SECTIONS.get(entry["section"], (entry["section"],))[0] in view]
    return view
