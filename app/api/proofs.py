"""Proof files of a portfolio: /api/v1/portfolios/<id>/proofs (owner only)."""
from functools import wraps

from flask import current_app, request
from flask_jwt_extended import current_user
from flask_smorest import abort
from flask_smorest.fields import Upload
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from ..extensions import without_mongo_deadline
from ..schemas.common import PaginationQuerySchema, page_of
from ..schemas.portfolio import (
    ProofFileQuerySchema, ProofPatchSchema, ProofSchema, ProofUploadSchema, TrashedProofSchema,
)
from ..services import portfolios, proofs
from . import Blueprint, JsonBodyParser, login_required

# Room for the multipart boundaries and the other form fields beside the file.
FORM_OVERHEAD_BYTES = 64 * 1024


class MultipartParser(JsonBodyParser):
    """The `form` location includes the files: form fields and the file are read (and
    documented) as ONE multipart body, validated by one schema."""

    def load_form(self, req, schema):
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)


class ProofsBlueprint(Blueprint):
    ARGUMENTS_PARSER = MultipartParser()


class ProofUploadFormSchema(ProofUploadSchema):
    file = Upload(required=True)


blp = ProofsBlueprint("proofs", __name__, url_prefix="/api/v1/portfolios",
                      description="Proof files attached to a portfolio's items (owner only)")
BASE = "/<objectid:portfolio_id>/proofs"


def upload_size_limit(view):
    """Raise the JSON body limit for this request only, so the file can come in (spooled to a
    temporary file by werkzeug beyond 500 KB, never held in memory)."""
    @wraps(view)
    def limited(*args, **kwargs):
        limit = current_app.config["PROOF_MAX_BYTES"] + FORM_OVERHEAD_BYTES
        if request.content_length and request.content_length > limit:
            abort(413, message=proofs.size_limit_message())
        request.max_content_length = limit
        return view(*args, **kwargs)
    return limited


@blp.route(f"{BASE}/", methods=["POST"])
@without_mongo_deadline
@login_required
@upload_size_limit
@blp.arguments(ProofUploadFormSchema, location="form", content_type="multipart/form-data")
@blp.response(201, ProofSchema)
@blp.alt_response(413, description="File over PROOF_MAX_BYTES, or storage quota exceeded")
@blp.alt_response(415, description="File type refused (decided by its content)")
def upload_proof(data, portfolio_id):
    """Upload a file and attach it to an item; its visibility defaults to private."""
    return proofs.upload_proof(portfolio_id, current_user, data.pop("file"), data), 201


@blp.route(f"{BASE}/", methods=["GET"])
@login_required
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_of(ProofSchema))
def list_proofs(page, portfolio_id):
    """The portfolio's proofs, in upload order."""
    return _page(portfolios.get_owned(portfolio_id, current_user).proofs, **page)


def _page(found, offset, limit):
    return {"data": found[offset:offset + limit],
            "pagination": {"offset": offset, "limit": limit, "total": len(found)}}


@blp.route(f"{BASE}/<objectid:proof_id>", methods=["PATCH"])
@login_required
@blp.arguments(ProofPatchSchema)
@blp.response(200, ProofSchema)
def update_proof(changes, portfolio_id, proof_id):
    """Edit the title or visibility, or move the proof to another item."""
    return proofs.update_proof(portfolio_id, current_user, proof_id, changes)


@blp.route(f"{BASE}/<objectid:proof_id>", methods=["DELETE"])
@login_required
@blp.response(204)
def delete_proof(portfolio_id, proof_id):
    """Move the proof to the trash: its files are kept PROOF_TRASH_DAYS, then purged."""
    proofs.delete_proof(portfolio_id, current_user, proof_id)


@blp.route(f"{BASE}/trash", methods=["GET"])
@login_required
@blp.arguments(PaginationQuerySchema, location="query")
@blp.response(200, page_of(TrashedProofSchema))
def list_trash(page, portfolio_id):
    """Deleted proofs, and those of deleted items, oldest first; their files still count in the
    storage quota until they are purged."""
    return _page(portfolios.get_owned(portfolio_id, current_user).trash, **page)


@blp.route(f"{BASE}/trash/<objectid:proof_id>/restore", methods=["POST"])
@login_required
@blp.response(200, ProofSchema)
def restore_trashed_proof(portfolio_id, proof_id):
    """Attach a trashed proof again (422 while its item does not exist)."""
    return proofs.restore_trashed(portfolio_id, current_user, proof_id)


@blp.route(f"{BASE}/trash/<objectid:proof_id>", methods=["DELETE"])
@login_required
@blp.response(204)
def purge_trashed_proof(portfolio_id, proof_id):
    """Delete a trashed proof for good: its files are removed from GridFS at once."""
    proofs.purge_trashed(portfolio_id, current_user, proof_id)


@blp.route(f"{BASE}/<objectid:proof_id>/file", methods=["GET"])
@login_required
@blp.arguments(ProofFileQuerySchema, location="query")
@blp.response(200, description="The file (or its thumbnail with `?thumbnail=1`), streamed; "
                               "`Range` (206/416) and `If-None-Match` (304) supported",
              content_type="application/octet-stream")
def proof_file(query, portfolio_id, proof_id):
    """Download the file, whatever its visibility."""
    portfolio = portfolios.get_owned(portfolio_id, current_user)
    return proofs.send_proof(proofs.find_proof(portfolio, proof_id),
                             thumbnail=query["thumbnail"], private_cache=True)
