"""The editor's API: /api/v1/portfolios (owner only; anyone else's portfolio is a 404)."""
import io
import json

from flask import Response, request
from flask_jwt_extended import current_user
from flask_smorest import abort
from werkzeug.exceptions import RequestEntityTooLarge

from ..models.portfolio import SECTIONS
from ..extensions import without_mongo_deadline
from ..schemas.common import PaginationQuerySchema, page_of
from ..schemas.portfolio import (
    SECTION_SCHEMAS, AudienceQuerySchema, PortfolioCreateSchema, PortfolioPatchSchema,
    PortfolioSchema, PortfolioSummarySchema, ReorderSchema, SlugAvailabilityQuerySchema,
    SlugAvailabilitySchema, VersionSchema, VersionSummarySchema,
)
from ..schemas.transfer import ImportedPortfolioSchema
from ..services import imports, jsonresume, portfolios, versions
from ..web.docx_export import DOCX_MIMETYPE, docx_response
from ..web.public import pdf_response
from . import Blueprint, if_match_version, load_json, login_required, paginated, version_guarded

blp = Blueprint("portfolios", __name__, url_prefix="/api/v1/portfolios",
                description="Portfolios, their sections and their history (owner only)")
ETAG_DOC = {"ETag": {"description": "The portfolio's version, for If-Match",
                     "schema": {"type": "string"}}}


def _with_etag(portfolio, status=200):
    return portfolio, status, {"ETag": f'"{portfolio.version}"'}


@blp.route("/", methods=["GET"])
@login_required
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_of(PortfolioSummarySchema))
def list_portfolios(page):
    """The caller's portfolios, most recently edited first."""
    return paginated(portfolios.list_owned(current_user), **page)


@blp.route("/", methods=["POST"])
@login_required
@blp.arguments(PortfolioCreateSchema)
@blp.response(201, PortfolioSchema, headers=ETAG_DOC)
def create_portfolio(data):
    """Create a portfolio; the slug is made from the title when not given.

    It starts as an unpublished draft (`is_private: true`, 404 to visitors) unless the body
    says `"is_private": false`; publishing is an explicit PATCH of `is_private`.
    """
    return _with_etag(portfolios.create(current_user, data), 201)


@blp.route("/slug-availability", methods=["GET"])
@login_required
@blp.arguments(SlugAvailabilityQuerySchema, location="query")
@blp.response(200, SlugAvailabilitySchema)
def slug_availability(query):
    """Whether an address is free, for the editor to say so while the person types.

    The same rule as a write of `slug`: reserved words and addresses taken by another portfolio,
    or given up by one less than 30 days ago, are not available. A malformed slug is a 422 with
    the format in `errors.slug`; someone else's `portfolio_id` is a 404.
    """
    portfolio_id = query.get("portfolio_id")
    if portfolio_id:
        portfolio_id = portfolios.get_owned(portfolio_id, current_user).id
    return portfolios.slug_availability(query["slug"], portfolio_id)


@blp.route("/<objectid:portfolio_id>", methods=["GET"])
@login_required
@blp.response(200, PortfolioSchema, headers=ETAG_DOC)
def get_portfolio(portfolio_id):
    """The whole portfolio, every visibility included."""
    return _with_etag(portfolios.get_owned(portfolio_id, current_user))


@blp.route("/<objectid:portfolio_id>", methods=["PATCH"])
@login_required
@blp.arguments(PortfolioPatchSchema)
@blp.response(200, PortfolioSchema, headers=ETAG_DOC)
@version_guarded
def patch_portfolio(changes, portfolio_id):
    """Autosave: top-level fields, guarded by If-Match or `version`.

    Objects (`profile`, `theme`) follow JSON Merge Patch (RFC 7396): a key sent replaces that
    key, a key sent as null clears it, keys not sent stay. Arrays (the sections) and `layout`
    are replaced whole. A change that removes content (items, layout sections, cleared profile
    or theme keys) first saves the current version in the history; the proofs of removed items
    go to the trash (`GET .../proofs/trash`).
    """
    expected = changes.pop("version", None) or if_match_version()
    return _with_etag(portfolios.save_changes(portfolio_id, current_user, changes, expected))


@blp.route("/<objectid:portfolio_id>", methods=["DELETE"])
@login_required
@blp.response(204)
def delete_portfolio(portfolio_id):
    """Delete the portfolio with its history, proof files and recruiter links."""
    portfolios.delete(portfolios.get_owned(portfolio_id, current_user))


@blp.route("/<objectid:portfolio_id>/duplicate", methods=["POST"])
@without_mongo_deadline
@login_required
@blp.response(201, PortfolioSchema, headers=ETAG_DOC)
def duplicate_portfolio(portfolio_id):
    """A private (unpublished) copy with a new slug and fresh item ids."""
    source = portfolios.get_owned(portfolio_id, current_user)
    return _with_etag(portfolios.duplicate(source, current_user), 201)


@blp.route("/<objectid:portfolio_id>/versions", methods=["GET"])
@login_required
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_of(VersionSummarySchema))
def list_versions(page, portfolio_id):
    """Saved versions, newest first."""
    portfolio = portfolios.get_owned(portfolio_id, current_user)
    return paginated(versions.history(portfolio.id), **page)


@blp.route("/<objectid:portfolio_id>/versions/<int:number>", methods=["GET"])
@login_required
@blp.response(200, VersionSchema)
def get_version(portfolio_id, number):
    """One saved version with its content."""
    portfolio = portfolios.get_owned(portfolio_id, current_user)
    return versions.get_version(portfolio.id, number)


@blp.route("/<objectid:portfolio_id>/versions/<int:number>/restore", methods=["POST"])
@login_required
@blp.response(200, PortfolioSchema, headers=ETAG_DOC)
@version_guarded
def restore_version(portfolio_id, number):
    """Bring a version's content back, as a new version (address and privacy are kept).

    The current content is saved first; proofs of items the restore removes go to the trash,
    and trashed proofs of items it brings back are attached again.
    """
    return _with_etag(portfolios.restore(portfolio_id, current_user, number, if_match_version()))


@blp.route("/<objectid:portfolio_id>/export.pdf", methods=["GET"])
@without_mongo_deadline
@login_required
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf",
              description="The owner view (every visibility) as an A4 PDF, as an attachment")
def export_pdf(portfolio_id):
    """The whole portfolio as a PDF, private items included."""
    return pdf_response(portfolios.get_owned(portfolio_id, current_user), "owner",
                        attachment=True)


@blp.route("/<objectid:portfolio_id>/export.docx", methods=["GET"])
@without_mongo_deadline
@login_required
@blp.arguments(AudienceQuerySchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=DOCX_MIMETYPE,
              description="The audience's view as an editable Word document, as an attachment")
def export_docx(query, portfolio_id):
    """The portfolio as a Word document (`<slug>.docx`) holding only what `audience` may see
    (default owner: everything)."""
    return docx_response(portfolios.get_owned(portfolio_id, current_user), query["audience"])


@blp.route("/<objectid:portfolio_id>/export.json", methods=["GET"])
@login_required
@blp.arguments(AudienceQuerySchema, location="query")
@blp.response(200, {"type": "object"}, description="A JSON Resume document, as an attachment "
                                                   "named after the slug (`<slug>.json`)")
def export_json(query, portfolio_id):
    """The portfolio as a JSON Resume document, valid against the official schema (1.x).

    It holds what `audience` may see (default owner: everything): items it may not see are
    left out, and so are the email and phone when the profile's contact visibility hides them.
    """
    portfolio = portfolios.get_owned(portfolio_id, current_user)
    document = jsonresume.export_document(portfolio, query["audience"])
    response = Response(json.dumps(document, ensure_ascii=False, indent=2),
                        mimetype="application/json")
    response.headers.set("Content-Disposition", "attachment", filename=f"{portfolio.slug}.json")
    return response


IMPORT_BODY = {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "description": "A JSON Resume document"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "A JSON Resume document (.json) or a LinkedIn data export "
                                "(.zip), told apart by their content"}}}},
}}


def _import_upload():
    """What to import, as a stream: the multipart `file` (a LinkedIn ZIP may be bigger than a
    JSON body may be), else the body."""
    if request.mimetype == "multipart/form-data":
        request.max_content_length = imports.IMPORT_UPLOAD_MAX_BYTES
        try:
            upload = request.files.get("file")
        except RequestEntityTooLarge:
            imports.refuse_oversized_upload()
        if upload is None:
            abort(422, errors={"file": ["Missing data for required field."]})
        return upload.stream
    try:
        body = request.get_data(cache=True)
    except RequestEntityTooLarge:
        imports.refuse_oversized_json()
    if not body:
        abort(400, message="Send a JSON Resume document as the body, or a file in the "
                           "multipart `file` field.")
    return io.BytesIO(body)


@blp.route("/import", methods=["POST"])
@without_mongo_deadline
@login_required
@blp.doc(requestBody=IMPORT_BODY)
@blp.response(201, ImportedPortfolioSchema, headers=ETAG_DOC)
@blp.alt_response(413, description="Over a size limit: a JSON document over MAX_JSON_BYTES, "
                                   "an upload over 20 MB, a ZIP whose profile files expand past "
                                   "20 MB or holding too many files")
@blp.alt_response(415, description="Neither a JSON document nor a LinkedIn ZIP (a PDF, a text "
                                   "file, a Word document…)")
@blp.alt_response(422, description="Not a JSON Resume document (`errors` names the fields at "
                                   "fault, like `work[0].startDate`), or a ZIP that is not a "
                                   "LinkedIn data export or is unsafe to read; nothing is "
                                   "created")
def import_portfolio():
    """Create a portfolio from a JSON Resume document or a LinkedIn data export.

    Send the document as the JSON body, or as the multipart `file` (a `.json` document or
    LinkedIn's ZIP, told apart by their content). The new portfolio is a private draft titled
    with the person's name, its address made from it. A document the official JSON Resume
    schema refuses is a 422 whose `errors` name the fields at fault (`work[0].startDate`), and
    nothing is created; keys the schema does not know are ignored.

    The answer is the portfolio plus `import`: `source` (`json_resume` or `linkedin`),
    `sections` (items imported per section, e.g. `{"experiences": 3}`) and `warnings` (what was
    left out or changed and where, e.g. a profile without an address, a skill level Vitrine
    does not have), for the dashboard to show.
    """
    imported = imports.import_portfolio(current_user, _import_upload(), decode_json=load_json)
    return _with_etag(imported, 201)


def register_section_routes(section, item_schema):
    """The same five operations for every section, each documented with its own schema."""
    field, _ = SECTIONS[section]
    base = f"/<objectid:portfolio_id>/{section}"
    name = field.rstrip("s")

    @blp.route(base, methods=["GET"], endpoint=f"list_{field}")
    @login_required
    @blp.response(200, item_schema(many=True))
    def list_items(portfolio_id):
        return getattr(portfolios.get_owned(portfolio_id, current_user), field)

    @blp.route(base, methods=["POST"], endpoint=f"create_{name}")
    @login_required
    @blp.arguments(item_schema)
    @blp.response(201, item_schema, headers=ETAG_DOC)
    @version_guarded
    def create_item(data, portfolio_id):
        item, saved = portfolios.add_item(portfolio_id, current_user, section, data,
                                          if_match_version())
        return item, 201, {"ETag": f'"{saved.version}"'}

    @blp.route(f"{base}/order", methods=["PUT"], endpoint=f"reorder_{field}")
    @login_required
    @blp.arguments(ReorderSchema)
    @blp.response(200, item_schema(many=True), headers=ETAG_DOC)
    @version_guarded
    def reorder_items(data, portfolio_id):
        saved = portfolios.reorder_items(portfolio_id, current_user, section, data["ids"],
                                         if_match_version())
        return getattr(saved, field), 200, {"ETag": f'"{saved.version}"'}

    @blp.route(f"{base}/<objectid:item_id>", methods=["GET"], endpoint=f"get_{name}")
    @login_required
    @blp.response(200, item_schema)
    def get_item(portfolio_id, item_id):
        portfolio = portfolios.get_owned(portfolio_id, current_user)
        return portfolios.find_item(portfolio, section, item_id)

    @blp.route(f"{base}/<objectid:item_id>", methods=["PATCH"], endpoint=f"update_{name}")
    @login_required
    @blp.arguments(item_schema(partial=True))
    @blp.response(200, item_schema, headers=ETAG_DOC)
    @version_guarded
    def update_item(data, portfolio_id, item_id):
        item, saved = portfolios.update_item(portfolio_id, current_user, section, item_id, data,
                                             if_match_version())
        return item, 200, {"ETag": f'"{saved.version}"'}

    @blp.route(f"{base}/<objectid:item_id>", methods=["DELETE"], endpoint=f"delete_{name}")
    @login_required
    @blp.response(204)
    @version_guarded
    def delete_item(portfolio_id, item_id):
        portfolios.delete_item(portfolio_id, current_user, section, item_id, if_match_version())

    for view, verb in ((list_items, "List"), (create_item, "Add"), (reorder_items, "Reorder"),
                       (get_item, "Get"), (update_item, "Update"), (delete_item, "Delete")):
        view.__doc__ = f"{verb} {section} items."


for _section, _schema in SECTION_SCHEMAS.items():
    register_section_routes(_section, _schema)
