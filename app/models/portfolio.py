"""The portfolio: ONE document with its profile, sections, layout and proofs embedded.

Field limits here are a second line of defence; the marshmallow schemas in
app/schemas/portfolio.py are what the API validates against and documents.
"""
from bson import ObjectId
from mongoengine import (
    CASCADE, BooleanField, DateTimeField, DictField, Document, EmbeddedDocument,
    EmbeddedDocumentField, EmbeddedDocumentListField, FloatField, IntField, ListField,
    ObjectIdField, ReferenceField, StringField,
)

from .languages import DEFAULT_LANGUAGE, LANGUAGES
from .user import User, utcnow

VISIBILITIES = ("public", "recruiter", "private")
# Who looks at a portfolio: what each may see is services.visibility's one rule.
AUDIENCES = ("public", "recruiter", "owner")
TEMPLATES = ("classic", "modern", "minimal")
AVAILABILITIES = ("internship", "job", "freelance", "apprenticeship", "not_available")
DIPLOMA_LEVELS = ("high_school", "associate", "bachelor", "master", "doctorate", "other")
EXPERIENCE_TYPES = ("internship", "job", "freelance", "apprenticeship", "volunteer")
TRAINING_TYPES = ("online_course", "workshop", "bootcamp", "other")
PROJECT_TYPES = ("academic", "personal", "professional")
SKILL_CATEGORIES = ("language", "framework", "tool", "soft_skill", "other")
SKILL_LEVELS = ("beginner", "intermediate", "advanced", "expert")
# Why a proof is in the trash: its item was removed (a restore that brings the item back brings
# the proof back too), or the proof itself was deleted (only the owner brings it back).
ITEM_REMOVED, PROOF_DELETED = "item_removed", "proof_deleted"
MAX_PROOFS_PER_PORTFOLIO = 100
TRASH_REASONS = (ITEM_REMOVED, PROOF_DELETED)


class Item(EmbeddedDocument):
    """What every section item has: its own id and who may see it."""
    id = ObjectIdField(required=True, default=ObjectId)
    visibility = StringField(choices=VISIBILITIES, default="public")
    meta = {"abstract": True}


class ProfileLink(Item):
    network = StringField(max_length=40)
    url = StringField(max_length=2048)
    label = StringField(max_length=120)


class Diploma(Item):
    title = StringField(max_length=200)
    institution = StringField(max_length=200)
    level = StringField(choices=DIPLOMA_LEVELS)
    field = StringField(max_length=200)
    start_date = StringField(max_length=10)
    end_date = StringField(max_length=10)
    grade = StringField(max_length=200)
    description = StringField(max_length=5000)
    url = StringField(max_length=2048)
    courses = ListField(StringField(max_length=200))


class Certification(Item):
    name = StringField(max_length=200)
    issuer = StringField(max_length=200)
    issued_date = StringField(max_length=10)
    expiry_date = StringField(max_length=10)
    credential_id = StringField(max_length=200)
    credential_url = StringField(max_length=2048)


class Experience(Item):
    role = StringField(max_length=200)
    organisation = StringField(max_length=200)
    type = StringField(choices=EXPERIENCE_TYPES)
    location = StringField(max_length=200)
    start_date = StringField(max_length=10)
    end_date = StringField(max_length=10)
    current = BooleanField(default=False)
    description = StringField(max_length=5000)
    achievements = ListField(StringField(max_length=500))
    url = StringField(max_length=2048)
    # What the organisation does, in a line ("Non-profit AI research institute").
    organisation_summary = StringField(max_length=500)


class Training(Item):
    title = StringField(max_length=200)
    provider = StringField(max_length=200)
    type = StringField(choices=TRAINING_TYPES)
    start_date = StringField(max_length=10)
    end_date = StringField(max_length=10)
    hours = FloatField(min_value=0)


class Project(Item):
    name = StringField(max_length=200)
    type = StringField(choices=PROJECT_TYPES)
    summary = StringField(max_length=500)
    description = StringField(max_length=10000)
    technologies = ListField(StringField(max_length=60))
    features = ListField(StringField(max_length=500))
    challenges = StringField(max_length=5000)
    role = StringField(max_length=200)
    # Who the project was for or with (a company, a course, a club).
    organisation = StringField(max_length=200)
    start_date = StringField(max_length=10)
    end_date = StringField(max_length=10)
    repository_url = StringField(max_length=2048)
    demo_url = StringField(max_length=2048)
    video_url = StringField(max_length=2048)


class Skill(Item):
    name = StringField(max_length=100)
    category = StringField(choices=SKILL_CATEGORIES)
    level = StringField(choices=SKILL_LEVELS)
    justification = StringField(max_length=2000)
    project_ids = ListField(ObjectIdField())
    certification_ids = ListField(ObjectIdField())
    training_ids = ListField(ObjectIdField())
    keywords = ListField(StringField(max_length=60))


class Language(Item):
    """A spoken (or signed) language, with how well its owner speaks it in their own words."""
    name = StringField(max_length=100)
    fluency = StringField(max_length=100)


class Volunteer(Item):
    organisation = StringField(max_length=200)
    role = StringField(max_length=200)
    url = StringField(max_length=2048)
    start_date = StringField(max_length=10)
    end_date = StringField(max_length=10)
    description = StringField(max_length=5000)
    achievements = ListField(StringField(max_length=500))


class Award(Item):
    title = StringField(max_length=200)
    awarder = StringField(max_length=200)
    date = StringField(max_length=10)
    description = StringField(max_length=5000)


class Publication(Item):
    name = StringField(max_length=300)
    publisher = StringField(max_length=200)
    release_date = StringField(max_length=10)
    url = StringField(max_length=2048)
    description = StringField(max_length=5000)


class Interest(Item):
    name = StringField(max_length=100)
    keywords = ListField(StringField(max_length=60))


class Reference(Item):
    """Somebody who vouches for the owner: private unless the owner decides otherwise, since
    it names (and may give the contact of) a third person."""
    visibility = StringField(choices=VISIBILITIES, default="private")
    name = StringField(max_length=200)
    position = StringField(max_length=200)
    contact = StringField(max_length=200)
    reference = StringField(max_length=5000)


class Profile(EmbeddedDocument):
    display_name = StringField(max_length=120)
    title = StringField(max_length=200)
    headline = StringField(max_length=300)
    bio = StringField(max_length=5000)
    location = StringField(max_length=200)
    photo_proof_id = ObjectIdField()
    email = StringField(max_length=254)
    phone = StringField(max_length=40)
    # Contact details are recruiter-only unless their owner decides otherwise.
    contact_visibility = StringField(choices=VISIBILITIES, default="recruiter")
    availability = StringField(choices=AVAILABILITIES)


class Proof(EmbeddedDocument):
    """A file attached to an item; the bytes live in GridFS."""
    id = ObjectIdField(required=True, default=ObjectId)
    item_type = StringField(required=True)
    item_id = ObjectIdField()
    title = StringField(max_length=200)
    visibility = StringField(choices=VISIBILITIES, default="private")
    file_id = ObjectIdField(required=True)
    filename = StringField(max_length=255)
    content_type = StringField(max_length=100)
    size = IntField(min_value=0)
    sha256 = StringField(max_length=64)
    width = IntField()
    height = IntField()
    thumbnail_file_id = ObjectIdField()
    created_at = DateTimeField(default=utcnow)
    # Set while the proof is in its portfolio's trash: when, and why (TRASH_REASONS).
    trashed_at = DateTimeField()
    trash_reason = StringField(choices=TRASH_REASONS)


class PreviousSlug(EmbeddedDocument):
    slug = StringField(required=True)
    changed_at = DateTimeField(default=utcnow)


class RecruiterAccess(EmbeddedDocument):
    """An active recruiter link's key to its portfolio, kept in the portfolio so that a recruiter
    page is one read (issue 16). The link document (recruiter_links) stays the record: the entry
    is added when the link is made and leaves in the same transaction as the link's revocation
    (app/services/publishing.py); expired entries leave when another link is made."""
    token_hash = StringField(required=True)
    link = ObjectIdField(required=True)
    expires_at = DateTimeField(required=True)


# URL section name → (document field, item class). "profile-links" is the contract's name for
# the `links` list.
SECTIONS = {
    "profile-links": ("links", ProfileLink),
    "diplomas": ("diplomas", Diploma),
    "certifications": ("certifications", Certification),
    "experiences": ("experiences", Experience),
    "trainings": ("trainings", Training),
    "projects": ("projects", Project),
    "skills": ("skills", Skill),
    "languages": ("languages", Language),
    "volunteer": ("volunteer", Volunteer),
    "awards": ("awards", Award),
    "publications": ("publications", Publication),
    "interests": ("interests", Interest),
    "references": ("references", Reference),
}

SECTION_FIELDS = tuple(field for field, _ in SECTIONS.values())
# What makes up a portfolio's content: what history snapshots and a restore puts back. The
# address, privacy, password and proofs are not content.
CONTENT_FIELDS = ("title", "description", "template", "theme", "layout", "profile",
                  *SECTION_FIELDS)
# Object-valued fields a PATCH merges into (JSON Merge Patch); `layout` is replaced whole.
MERGED_OBJECTS = ("profile", "theme")


class Portfolio(Document):
    owner = ReferenceField(User, required=True, reverse_delete_rule=CASCADE)
    title = StringField(required=True, max_length=120)
    description = StringField(max_length=1000)
    slug = StringField(required=True, unique=True, max_length=60)
    previous_slugs = EmbeddedDocumentListField(PreviousSlug)
    template = StringField(choices=TEMPLATES, default="classic")
    # The language of every word the published pages, the PDF and the exports add around the
    # owner's own text (headings, labels, dates).
    language = StringField(choices=LANGUAGES, default=DEFAULT_LANGUAGE)
    theme = DictField()
    layout = DictField()
    is_private = BooleanField(default=False)
    password_hash = StringField()
    # Unlock cookies issued before this moment no longer count (password changed or removed).
    password_changed_at = DateTimeField()
    version = IntField(required=True, default=1, min_value=1)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    last_snapshot_at = DateTimeField()

    profile = EmbeddedDocumentField(Profile, default=Profile)
    links = EmbeddedDocumentListField(ProfileLink)
    diplomas = EmbeddedDocumentListField(Diploma)
    certifications = EmbeddedDocumentListField(Certification)
    experiences = EmbeddedDocumentListField(Experience)
    trainings = EmbeddedDocumentListField(Training)
    projects = EmbeddedDocumentListField(Project)
    skills = EmbeddedDocumentListField(Skill)
    languages = EmbeddedDocumentListField(Language)
    volunteer = EmbeddedDocumentListField(Volunteer)
    awards = EmbeddedDocumentListField(Award)
    publications = EmbeddedDocumentListField(Publication)
    interests = EmbeddedDocumentListField(Interest)
    references = EmbeddedDocumentListField(Reference)
    proofs = EmbeddedDocumentListField(Proof)
    # Detached proofs whose files are kept PROOF_TRASH_DAYS; never shown to any visitor.
    trash = EmbeddedDocumentListField(Proof)
    # Not content, never shown: see RecruiterAccess.
    recruiter_access = EmbeddedDocumentListField(RecruiterAccess)

    meta = {
        "collection": "portfolios",
        "indexes": ["owner", "previous_slugs.slug", "trash.trashed_at",
                    {"fields": ["recruiter_access.token_hash"], "sparse": True}],
    }


class PortfolioVersion(Document):
    """A snapshot of a portfolio's content at one version, for history and restore."""
    portfolio = ObjectIdField(required=True)
    version = IntField(required=True)
    saved_at = DateTimeField(default=utcnow)
    reason = StringField(max_length=60)
    size = IntField()
    content = DictField()

    @property
    def as_portfolio(self):
        """The stored content as an (unsaved) Portfolio, for the API to show it."""
        return Portfolio._from_son(self.content)

    meta = {
        "collection": "portfolio_versions",
        "indexes": [{"fields": ["portfolio", "-version"], "unique": True}],
    }
