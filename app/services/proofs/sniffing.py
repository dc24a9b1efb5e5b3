"""What a proof file is, decided by its content (magic bytes, plus structure checks for PDF and
ZIP-based documents), never by its name or declared type; a name whose extension disagrees with
the content is refused too."""
import io
import re
import unicodedata
import zipfile

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

SNIFF_BYTES = 4096
PDF, PNG, JPEG, WEBP, GIF = ("application/pdf", "image/png", "image/jpeg", "image/webp",
                             "image/gif")
MP4, WEBM = "video/mp4", "video/webm"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
# Content type → the extensions a file of that type may be named with (the first is the default).
EXTENSIONS = {
    PDF: ("pdf",), PNG: ("png",), JPEG: ("jpg", "jpeg", "jpe", "jfif"), WEBP: ("webp",),
    GIF: ("gif",), MP4: ("mp4", "m4v"), WEBM: ("webm",), DOCX: ("docx",), ODT: ("odt",),
}
IMAGE_FORMATS = {PNG: "PNG", JPEG: "JPEG", WEBP: "WEBP", GIF: "GIF"}
# Shown in the browser (in a CSP sandbox). Everything else is downloaded, PDFs included: a
# viewer showing a PDF in the page's origin is a privilege no uploaded file needs (Chrome's
# viewer refuses a sandboxed PDF, so the sandbox cannot be the answer for them).
INLINE_TYPES = frozenset(IMAGE_FORMATS)
# ISO base media "major brands" that are MP4 video (QuickTime `qt  ` and HEIF images are not).
MP4_BRANDS = frozenset({b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42",
                        b"avc1", b"M4V ", b"M4VH", b"M4VP", b"dash", b"msnv", b"mmp4", b"f4v "})
DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


class Refused(Exception):
    """The upload cannot be stored: (HTTP status, message)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


def sniff(head):
    """The content type from a file's first bytes, or None (refused)."""
    if re.match(rb"%PDF-[12]\.\d", head):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return MP4
    # EBML header whose DocType is "webm" (plain Matroska is not accepted).
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"\x42\x82\x84webm" in head[:64]:
        return WEBM
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _zip_document_type(stream):
    """DOCX or ODT when the ZIP really is one (checked from its directory), else None."""
    try:
        archive = zipfile.ZipFile(stream)
        names = set(archive.namelist())
        if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
            if archive.read("mimetype").strip() == ODT.encode() and "content.xml" in names:
                return ODT
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            with archive.open("[Content_Types].xml") as types:
                if DOCX_MAIN in types.read(256 * 1024):
                    return DOCX
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None
    return None


def _pdf_has_trailer(stream):
    """A real PDF ends with `%%EOF` (within its last KB, allowing trailing junk/newlines)."""
    stream.seek(0, io.SEEK_END)
    stream.seek(max(stream.tell() - 1024, 0))
    return b"%%EOF" in stream.read()


def check_pdf_is_passive(stream):
    """Refuse (415) a PDF that could run something in a viewer: JavaScript or a launch action,
    anywhere (pypdf reads every object, object streams and escaped names included). A PDF that
    cannot be read, or only with a password, cannot be checked and is refused too."""
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refused(415, "This PDF is protected by a password. Upload a copy without one.")
        numbers = {(number, generation) for generation, entries in reader.xref.items()
                   for number in entries} | {(number, 0) for number in reader.xref_objStm}
        active = next(filter(None, (
            _active_in(reader.get_object(IndirectObject(number, generation, reader)))
            for number, generation in numbers)), None)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise Refused(415, "This PDF is damaged or cannot be read. Export or print it to a new "
                           "PDF and upload that.") from exc
    if active:
        raise Refused(415, f"This PDF holds {active}, which is not accepted for safety. Print "
                           f"it to a new PDF (or export it again without it) and upload that.")


def _active_in(value):
    """Search one object's direct content (dictionaries and arrays; references are objects of
    their own, searched in turn)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, DictionaryObject):
            if {"/JS", "/JavaScript"} & set(item) or item.get("/S") == "/JavaScript":
                return "JavaScript"
            if "/Launch" in item or item.get("/S") == "/Launch":
                return "a launch action"
            pending.extend(entry for entry in item.values()
                           if not isinstance(entry, IndirectObject))
        elif isinstance(item, ArrayObject):
            pending.extend(entry for entry in item if not isinstance(entry, IndirectObject))
    return None


def detect_type(stream):
    """The accepted content type of a seekable upload, or raise Refused(415)."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    kind = sniff(head)
    if kind == "zip":
        kind = _zip_document_type(stream)
    elif kind == PDF and not _pdf_has_trailer(stream):
        kind = None
    stream.seek(0)
    if kind is None:
        raise Refused(415, "This file type is not accepted. Upload a PDF, PNG, JPEG, WebP or GIF "
                           "image, an MP4 or WebM video, or a DOCX/ODT document.")
    if kind == PDF:
        check_pdf_is_passive(stream)
        stream.seek(0)
    return kind


def safe_filename(filename, content_type):
    """A displayable name whose extension matches the content (a mismatch is refused)."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip().strip(".")[:200]
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    allowed = EXTENSIONS[content_type]
    if extension and extension.lower() not in allowed:
        raise Refused(415, f"The file's content is {content_type}, but its name ends in "
                           f".{extension}; rename it or upload the right file.")
    return f"{stem or 'proof'}.{extension.lower() or allowed[0]}"

