"""Proof files for visitors (/p/<slug>/proofs/<id>) and recruiters (/r/<token>/proofs/<id>,
and /r/files/<key> from a recruiter's PDF, which never holds the link's token).

Which portfolio: app/services/publishing.py; which proofs: app/services/visibility.py. Anything
the audience may not see is a 404, whatever the id.
"""
from flask import Blueprint, abort, g, request

from ..services import proofs, publishing
from ..services.visibility import proof_visible_to
from ..services.visits import record_visit

bp = Blueprint("proof_files", __name__)


def _send(portfolio, proof_id, audience, private_cache, link=None):
    g.portfolio_language = portfolio.language  # an error page from here on speaks it (errors.py)
    proof = next((p for p in portfolio.proofs if str(p.id) == proof_id), None)
    if proof is None or not proof_visible_to(portfolio, proof, audience):
        abort(404)
    record_visit(portfolio, "proof", link=link, proof_id=proof.id)
    return proofs.send_proof(proof, thumbnail=request.args.get("thumbnail") == "1",
                             private_cache=private_cache)


@bp.get("/p/<slug>/proofs/<objectid:proof_id>")
def public_proof(slug, proof_id):
    portfolio = publishing.resolve_public(slug)
    if not publishing.is_unlocked(portfolio):
        abort(404)
    return _send(portfolio, proof_id, "public", private_cache=bool(portfolio.password_hash))


@bp.get("/r/<token>/proofs/<objectid:proof_id>")
def recruiter_proof(token, proof_id):
    portfolio, link = publishing.resolve_recruiter(token, count_access=False)
    return _send(portfolio, proof_id, "recruiter", private_cache=True, link=link)


@bp.get("/r/files/<key>")
def recruiter_pdf_file(key):
    portfolio, link, proof_id = publishing.resolve_recruiter_file(key)
    return _send(portfolio, proof_id, "recruiter", private_cache=True, link=link)
