"""The portfolio as an A4 PDF (xhtml2pdf) through the print template.

The PDF never fetches anything: `_PdfResources` resolves the app's own static files and the
portfolio's own proofs (`proof:<id>`, bytes from GridFS), and turns every other URI into a
blank image, under an xhtml2pdf resource policy that forbids the network besides.
"""
import base64
import io
import os
from pathlib import Path

import reportlab
from PIL import Image, ImageOps

from .colours import readable
from .formatting import format_timestamp
from .page_model import build_page
from .templating import STATIC_DIR, render

# Bitstream Vera ships with ReportLab (always installed with xhtml2pdf) and, unlike the PDF
# core fonts, has the typographic punctuation (— · ’ “ ” …) and Central-European letters.
PDF_FONT_DIR = Path(reportlab.__file__).resolve().parent / "fonts"
PDF_FONT_FILES = {"regular": "Vera.ttf", "bold": "VeraBd.ttf", "italic": "VeraIt.ttf",
                  "bold_italic": "VeraBI.ttf"}
# Longest side of an image embedded in the PDF: sharp at print size, and a 20-megapixel photo
# does not make a 10 MB download.
PDF_IMAGE_PIXELS = 1000
_BLANK_GIF = ("data:image/gif;base64,"
              "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


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
    language = page["language"]
    html = render(
        "portfolio/print.html", language, view=view, page=page, profile=profile, audience=audience,
        name=profile.get("display_name") or view.get("title") or "Portfolio",
        document_title=title, author=author,
        updated=format_timestamp(view.get("updated_at"), language),
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
