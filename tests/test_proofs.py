"""Proof files: accepted and refused types, limits and quota, no orphans, image cleaning,
serving (Range, ETag), lifecycle and the visibility matrix of every route."""
import hashlib
import io
import threading
import zipfile
from datetime import timedelta

import pytest
from bson import ObjectId
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from app.models.portfolio import Portfolio
from app.models.user import utcnow
from app.services import proofs
from app.services.proofs import sniffing

API = "/api/v1/portfolios"
MB = 1024 * 1024


# --- sample files, made here ---------------------------------------------------------------------

def image_bytes(fmt, size=(64, 48), orientation=None, gps=True, **save):
    """An image with EXIF (camera, GPS position, orientation) as a phone would write it."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.putpixel((0, 0), (0, 0, 255))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)})
    output = io.BytesIO()
    image.save(output, fmt, exif=exif.tobytes(), **save)
    return output.getvalue()


def pdf_bytes(open_action=None, **metadata):
    """A one-page PDF as a PDF library writes it (with its cross-reference table); an
    `open_action` dictionary runs when a viewer opens it."""
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    if metadata:
        writer.add_metadata({f"/{key}": value for key, value in metadata.items()})
    if open_action:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject(key): value for key, value in open_action.items()})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def mp4_bytes(filler=4096):
    return b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * (filler // 256)


def webm_bytes():
    header = (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81"
              b"\x08\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02")
    return header + b"\x18\x53\x80\x67" + b"\x01" * 2048


def zip_bytes(entries, stored_first=None):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first[0]), stored_first[1],
                             compress_type=zipfile.ZIP_STORED)
        for name, content in entries.items():
            archive.writestr(name, content)
    return output.getvalue()


def docx_bytes():
    return zip_bytes({
        "[Content_Types].xml": '<?xml version="1.0"?><Types><Override PartName='
                               '"/word/document.xml" ContentType="' + sniffing.DOCX_MAIN.decode()
                               + '"/></Types>',
        "word/document.xml": "<w:document/>",
    })


def odt_bytes():
    return zip_bytes({"content.xml": "<office:document-content/>"},
                     stored_first=("mimetype", sniffing.ODT))


def gif_bytes():
    output = io.BytesIO()
    frames = [Image.new("P", (20, 10), colour) for colour in (1, 2)]
    frames[0].save(output, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return output.getvalue()


ACCEPTED = [
    ("scan.pdf", pdf_bytes, "application/pdf"),
    ("photo.png", lambda: image_bytes("PNG"), "image/png"),
    ("photo.JPG", lambda: image_bytes("JPEG"), "image/jpeg"),
    ("photo.webp", lambda: image_bytes("WEBP"), "image/webp"),
    ("anim.gif", gif_bytes, "image/gif"),
    ("demo.mp4", mp4_bytes, "video/mp4"),
    ("demo.webm", webm_bytes, "video/webm"),
    ("letter.docx", docx_bytes, sniffing.DOCX),
    ("letter.odt", odt_bytes, sniffing.ODT),
    ("no-extension", pdf_bytes, "application/pdf"),
]

REFUSED = [
    ("page-as.pdf", lambda: b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("really-html.pdf", lambda: b"%PDF-1.4\n<html><script>alert(1)</script></html>"),
    ("magic-only.pdf", lambda: b"%PDF-"),
    ("drawing.png", lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("run.sh", lambda: b"#!/bin/sh\nrm -rf /\n"),
    ("archive.zip", lambda: zip_bytes({"a.txt": "hello"})),
    ("docx-named.docx", lambda: zip_bytes({"[Content_Types].xml": "<Types/>",
                                           "word/document.xml": "<w:document/>"})),
    ("program.pdf", lambda: b"\x7fELF\x02\x01\x01" + bytes(100)),
    ("program.exe", lambda: b"MZ\x90\x00" + bytes(100)),
    ("png-named.pdf", lambda: image_bytes("PNG")),
    ("broken.png", lambda: b"\x89PNG\r\n\x1a\n" + b"garbage" * 20),
    ("movie.mkv", lambda: webm_bytes().replace(b"webm", b"mkvx")),
    ("movie.mov", lambda: mp4_bytes().replace(b"mp42", b"qt  ")),
    ("empty.pdf", lambda: b""),
]


# --- helpers -------------------------------------------------------------------------------------

def upload(client, portfolio_id, content, filename="file.pdf", item_type="profile", **fields):
    data = {"file": (io.BytesIO(content), filename), "item_type": item_type, **fields}
    return client.post(f"{API}/{portfolio_id}/proofs/", data=data,
                       content_type="multipart/form-data")


def gridfs_counts(test_database):
    return (test_database["proofs.files"].count_documents({}),
            test_database["proofs.chunks"].count_documents({}))


@pytest.fixture
def portfolio(portfolio_factory):
    return portfolio_factory(full=True)


def items_by_visibility(portfolio, field="projects"):
    found = {}
    for item in portfolio[field]:
        found.setdefault(item.get("visibility", "public"), item["id"])
    return found


# --- types ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("filename, make, content_type", ACCEPTED)
def test_accepted_types_are_stored_with_their_detected_type(auth_client, portfolio, filename,
                                                            make, content_type):
    response = upload(auth_client, portfolio["id"], make(), filename, title="A proof")
    assert response.status_code == 201, response.get_json()
    proof = response.get_json()
    assert proof["content_type"] == content_type
    assert proof["visibility"] == "private" and proof["item_type"] == "profile"
    assert proof["filename"].rsplit(".", 1)[-1] in sniffing.EXTENSIONS[content_type]
    stored = auth_client.get(f"{API}/{portfolio['id']}/proofs/{proof['id']}/file")
    assert stored.status_code == 200
    assert hashlib.sha256(stored.data).hexdigest() == proof["sha256"]
    assert len(stored.data) == proof["size"]
    assert stored.headers["Content-Type"].startswith(content_type)
    if not content_type.startswith("image/"):
        assert stored.data == make() if filename != "demo.mp4" else stored.data == mp4_bytes()


@pytest.mark.parametrize("filename, make", REFUSED)
def test_refused_types_are_415_and_leave_nothing(auth_client, portfolio, test_database,
                                                 filename, make):
    response = upload(auth_client, portfolio["id"], make(), filename)
    assert response.status_code == 415, response.get_json()
    assert response.get_json()["code"] == 415
    assert gridfs_counts(test_database) == (0, 0)
    assert Portfolio.objects.get(id=portfolio["id"]).proofs == []


# --- images --------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, name", [("JPEG", "gps.jpg"), ("PNG", "gps.png"),
                                       ("WEBP", "gps.webp")])
def test_image_metadata_is_stripped_and_orientation_applied(auth_client, portfolio, fmt, name):
    original = image_bytes(fmt, size=(64, 48), orientation=6)
    assert b"PhoneMaker" in original
    proof = upload(auth_client, portfolio["id"], original, name).get_json()
    # Orientation 6 (rotate 90°) applied: the stored image is upright, 48 wide and 64 high.
    assert (proof["width"], proof["height"]) == (48, 64)
    stored = auth_client.get(f"{API}/{portfolio['id']}/proofs/{proof['id']}/file").data
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.size == (48, 64)
    exif = image.getexif()
    assert not exif.get_ifd(0x8825) and 0x0112 not in exif and len(exif) == 0
    assert "icc_profile" not in image.info and "xmp" not in image.info
    assert proof["has_thumbnail"]
    thumbnail = auth_client.get(f"{API}/{portfolio['id']}/proofs/{proof['id']}/file?thumbnail=1")
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/webp"
    assert Image.open(io.BytesIO(thumbnail.data)).size == (48, 64)


def test_thumbnail_is_at_most_480_pixels(auth_client, portfolio):
    proof = upload(auth_client, portfolio["id"], image_bytes("PNG", size=(1200, 600)),
                   "big.png").get_json()
    thumbnail = auth_client.get(f"{API}/{portfolio['id']}/proofs/{proof['id']}/file?thumbnail=1")
    assert Image.open(io.BytesIO(thumbnail.data)).size == (480, 240)


def test_decompression_bomb_is_refused(make_app, test_database):
    client = signed_in_client(make_app(PROOF_MAX_IMAGE_PIXELS=10_000), "bomb@example.com")
    portfolio = client.post(f"{API}/", json={"title": "Bomb"}).get_json()
    response = upload(client, portfolio["id"], image_bytes("PNG", size=(200, 200), gps=False),
                      "bomb.png")
    assert response.status_code == 413
    assert "pixels" in response.get_json()["message"]
    assert gridfs_counts(test_database) == (0, 0)


def png_declaring(width, height):
    """A small PNG announcing `width` × `height` pixels (with almost no image data)."""
    import struct
    import zlib

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def test_an_image_beyond_pillows_own_bomb_guard_is_413_too(auth_client, portfolio,
                                                          test_database):
    response = upload(auth_client, portfolio["id"], png_declaring(50_000, 50_000), "huge.png")
    assert response.status_code == 413, response.get_json()
    assert "pixels" in response.get_json()["message"]
    assert gridfs_counts(test_database) == (0, 0)


# --- limits and quota ----------------------------------------------------------------------------

def signed_in_client(app, email):
    client = app.test_client()
    account = client.post("/api/v1/auth/register", json={
        "email": email, "password": "correct horse battery staple", "full_name": "Q"}).get_json()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {account['access_token']}"
    return client


def race(client, requests):
    """Send `requests` (callables taking a test client) at the same moment, one thread each;
    their status codes, sorted."""
    barrier = threading.Barrier(len(requests))
    statuses = []

    def run(send):
        barrier.wait()
        other = client.application.test_client()
        other.environ_base.update(client.environ_base)
        statuses.append(send(other).status_code)
    threads = [threading.Thread(target=run, args=(send,)) for send in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def stored_bytes(test_database):
    return sum(entry["length"] for entry in test_database["proofs.files"].find())


def test_racing_duplicates_never_exceed_the_quota(make_app, test_database):
    document = pdf_bytes(Subject="x" * 200_000)
    client = signed_in_client(make_app(USER_STORAGE_QUOTA_BYTES=int(len(document) * 2.5)),
                              "race-copy@example.com")
    portfolio = client.post(f"{API}/", json={"title": "Race"}).get_json()
    assert upload(client, portfolio["id"], document, "cv.pdf").status_code == 201
    statuses = race(client, [
        lambda other: other.post(f"{API}/{portfolio['id']}/duplicate")] * 4)
    assert statuses == [201, 413, 413, 413]
    assert stored_bytes(test_database) == 2 * len(document)


def test_racing_uploads_fill_the_quota_exactly(make_app, test_database):
    document = pdf_bytes(Subject="x" * 200_000)
    client = signed_in_client(make_app(USER_STORAGE_QUOTA_BYTES=2 * len(document) + 1000),
                              "race-upload@example.com")
    portfolio = client.post(f"{API}/", json={"title": "Race"}).get_json()
    statuses = race(client, [lambda other: upload(other, portfolio["id"], document, "cv.pdf")] * 10)
    assert statuses == [201] * 2 + [413] * 8  # neither over the quota nor refusing what fits
    assert stored_bytes(test_database) == 2 * len(document)
    proof = Portfolio.objects.get(id=portfolio["id"]).proofs[0]
    client.delete(f"{API}/{portfolio['id']}/proofs/{proof.id}")
    client.delete(f"{API}/{portfolio['id']}/proofs/trash/{proof.id}")
    assert upload(client, portfolio["id"], document, "again.pdf").status_code == 201


def test_a_reservation_lost_with_its_process_comes_back(app, auth_client, portfolio,
                                                        test_database):
    from app import tasks
    upload(auth_client, portfolio["id"], pdf_bytes(), "a.pdf")
    user_id = ObjectId(auth_client.user["id"])
    usage = test_database["storage_usage"]
    actual = usage.find_one({"_id": user_id})["bytes"]
    assert actual == stored_bytes(test_database)
    # An upload reserved 5 MB, then its process was killed: no one gave them back.
    usage.update_one({"_id": user_id}, {"$inc": {"bytes": 5 * MB},
                                         "$set": {"updated_at": utcnow() - timedelta(hours=2)}})
    with app.app_context():
        tasks.proofs_cleanup.apply().get()
    assert usage.find_one({"_id": user_id})["bytes"] == actual


def test_file_over_the_size_limit_is_413_and_leaves_nothing(make_app, test_database):
    client = signed_in_client(make_app(PROOF_MAX_BYTES=64 * 1024), "size@example.com")
    portfolio = client.post(f"{API}/", json={"title": "Sizes"}).get_json()
    assert upload(client, portfolio["id"], mp4_bytes(60 * 1024), "ok.mp4").status_code == 201
    before = gridfs_counts(test_database)
    # Just over the limit: streamed, cut off, aborted.
    response = upload(client, portfolio["id"], mp4_bytes(65 * 1024), "big.mp4")
    assert response.status_code == 413
    assert response.get_json()["message"] == "A proof may be at most 0.1 MB."
    # Far over the limit: refused from Content-Length before reading.
    response = upload(client, portfolio["id"], mp4_bytes(512 * 1024), "huge.mp4")
    assert response.status_code == 413
    assert gridfs_counts(test_database) == before


def test_quota_counts_every_portfolio_and_thumbnails(make_app, test_database):
    client = signed_in_client(make_app(USER_STORAGE_QUOTA_BYTES=100 * 1024),
                              "quota@example.com")
    first = client.post(f"{API}/", json={"title": "One"}).get_json()
    second = client.post(f"{API}/", json={"title": "Two"}).get_json()
    assert upload(client, first["id"], mp4_bytes(40 * 1024), "a.mp4").status_code == 201
    image = upload(client, second["id"], image_bytes("PNG", size=(300, 300)), "b.png")
    assert image.status_code == 201
    used = proofs.stored_length(
        entry["_id"] for entry in test_database["proofs.files"].find({}, {"_id": 1}))
    assert test_database["proofs.files"].count_documents({}) == 3  # the thumbnail counts too
    before = gridfs_counts(test_database)
    response = upload(client, second["id"], mp4_bytes(80 * 1024), "c.mp4")
    assert response.status_code == 413
    message = response.get_json()["message"]
    left = (100 * 1024 - used) / MB
    assert f"{left:.1f} MB of your 0.1 MB remain" in message, message
    assert gridfs_counts(test_database) == before
    # Other users are not affected by this one's usage.
    other = signed_in_client(client.application, "other@example.com")
    theirs = other.post(f"{API}/", json={"title": "Theirs"}).get_json()
    assert upload(other, theirs["id"], mp4_bytes(80 * 1024), "c.mp4").status_code == 201


def test_interrupted_upload_leaves_nothing(auth_client, portfolio, test_database, monkeypatch):
    """A failure while streaming into GridFS (client gone, database error) aborts the upload."""
    class Disconnected(Exception):
        pass

    class BrokenStream(io.BytesIO):
        def read(self, size=-1):
            if self.tell() > 300 * 1024:
                raise Disconnected()
            return super().read(size)

    with auth_client.application.test_request_context():
        user = Portfolio.objects.get(id=portfolio["id"]).owner
        source = BrokenStream(mp4_bytes(MB))
        with pytest.raises(Disconnected):
            proofs.store(source, "x.mp4", {"owner": user.id}, 10 * MB)
    assert gridfs_counts(test_database) == (0, 0)


def test_upload_needs_an_existing_item(auth_client, portfolio, test_database):
    url_id = portfolio["id"]
    for fields in ({"item_type": "projects", "item_id": str(ObjectId())},
                   {"item_type": "projects"},
                   {"item_type": "unicorns", "item_id": portfolio["projects"][0]["id"]},
                   {"item_type": "diplomas", "item_id": portfolio["projects"][0]["id"]}):
        response = upload(auth_client, url_id, pdf_bytes(), "a.pdf", **fields)
        assert response.status_code == 422, (fields, response.get_json())
    assert gridfs_counts(test_database) == (0, 0)
    singular = upload(auth_client, url_id, pdf_bytes(), "a.pdf", item_type="project",
                      item_id=portfolio["projects"][0]["id"])
    assert singular.status_code == 201
    assert singular.get_json()["item_type"] == "projects"


def test_item_deleted_during_upload_keeps_nothing(auth_client, portfolio, test_database,
                                                  monkeypatch):
    project_id = portfolio["projects"][0]["id"]
    real_store = proofs.store

    def store_then_item_deleted(*args, **kwargs):
        stored = real_store(*args, **kwargs)
        Portfolio._get_collection().update_one(
            {"_id": ObjectId(portfolio["id"])}, {"$pull": {"projects": {"id": ObjectId(project_id)}}})
        return stored
    monkeypatch.setattr(proofs, "store", store_then_item_deleted)
    response = upload(auth_client, portfolio["id"], pdf_bytes(), "a.pdf",
                      item_type="projects", item_id=project_id)
    assert response.status_code == 422
    assert gridfs_counts(test_database) == (0, 0)


def test_upload_form_is_validated(auth_client, portfolio):
    url = f"{API}/{portfolio['id']}/proofs/"
    no_file = auth_client.post(url, data={"item_type": "profile"},
                               content_type="multipart/form-data")
    assert no_file.status_code == 422 and "file" in no_file.get_json()["errors"]
    unknown = upload(auth_client, portfolio["id"], pdf_bytes(), "a.pdf", owner="someone")
    assert unknown.status_code == 422 and "owner" in unknown.get_json()["errors"]
    bad_visibility = upload(auth_client, portfolio["id"], pdf_bytes(), "a.pdf", visibility="all")
    assert bad_visibility.status_code == 422


def test_someone_elses_portfolio_is_404(client, register, portfolio, auth_client):
    proof = upload(auth_client, portfolio["id"], pdf_bytes(), "a.pdf").get_json()
    intruder = {"Authorization": f"Bearer {register()['access_token']}"}
    base = f"{API}/{portfolio['id']}/proofs"
    assert client.post(f"{base}/", headers=intruder, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(pdf_bytes()), "a.pdf"),
                             "item_type": "profile"}).status_code == 404
    for method, url in (("get", f"{base}/"), ("get", f"{base}/{proof['id']}/file"),
                        ("patch", f"{base}/{proof['id']}"), ("delete", f"{base}/{proof['id']}")):
        kwargs = {"json": {"title": "x"}} if method == "patch" else {}
        assert getattr(client, method)(url, headers=intruder, **kwargs).status_code == 404


# --- owner API: list, edit, move, delete ---------------------------------------------------------

def test_list_patch_move_and_delete(auth_client, portfolio, test_database):
    base = f"{API}/{portfolio['id']}/proofs"
    project, diploma = portfolio["projects"][0]["id"], portfolio["diplomas"][0]["id"]
    proof = upload(auth_client, portfolio["id"], image_bytes("PNG"), "p.png",
                   item_type="projects", item_id=project, visibility="public").get_json()
    upload(auth_client, portfolio["id"], pdf_bytes(), "b.pdf")
    version = auth_client.get(f"{API}/{portfolio['id']}").get_json()["version"]
    listed = auth_client.get(f"{base}/?limit=1").get_json()
    assert listed["pagination"] == {"offset": 0, "limit": 1, "total": 2}
    assert [entry["id"] for entry in listed["data"]] == [proof["id"]]

    moved = auth_client.patch(f"{base}/{proof['id']}", json={
        "title": "Diploma scan", "visibility": "recruiter", "item_type": "diploma",
        "item_id": diploma})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json() | {} == {**moved.get_json(), "title": "Diploma scan",
                                     "visibility": "recruiter", "item_type": "diplomas",
                                     "item_id": diploma}
    assert auth_client.patch(f"{base}/{proof['id']}", json={
        "item_type": "projects", "item_id": str(ObjectId())}).status_code == 422
    assert auth_client.patch(f"{base}/{proof['id']}", json={"owner": "x"}).status_code == 422
    # Proof changes are not content versions: an editor's autosave is not made stale.
    assert auth_client.get(f"{API}/{portfolio['id']}").get_json()["version"] == version

    assert auth_client.delete(f"{base}/{proof['id']}").status_code == 204
    assert auth_client.get(f"{base}/{proof['id']}/file").status_code == 404
    assert auth_client.delete(f"{base}/{proof['id']}").status_code == 404
    assert gridfs_counts(test_database)[0] == 3  # in the trash: the files are kept
    assert auth_client.delete(f"{base}/trash/{proof['id']}").status_code == 204
    assert gridfs_counts(test_database)[0] == 1  # the PDF; the image and its thumbnail are gone


def test_photo_and_background_must_be_image_proofs(auth_client, portfolio):
    url = f"{API}/{portfolio['id']}"
    image = upload(auth_client, portfolio["id"], image_bytes("PNG"), "me.png").get_json()
    document = upload(auth_client, portfolio["id"], pdf_bytes(), "cv.pdf").get_json()
    for bad in (document["id"], str(ObjectId())):
        assert auth_client.patch(url, json={"profile": {"photo_proof_id": bad}}).status_code == 422
        assert auth_client.patch(url, json={
            "theme": {"background_image_proof_id": bad}}).status_code == 422
    saved = auth_client.patch(url, json={"profile": {"photo_proof_id": image["id"]},
                                         "theme": {"background_image_proof_id": image["id"]}})
    assert saved.status_code == 200
    auth_client.delete(f"{url}/proofs/{image['id']}")
    body = auth_client.get(url).get_json()
    assert "photo_proof_id" not in body["profile"] or body["profile"]["photo_proof_id"] is None
    assert "background_image_proof_id" not in body["theme"]


# --- lifecycle -----------------------------------------------------------------------------------

def test_deleting_an_item_trashes_its_proofs(auth_client, portfolio, test_database):
    project = portfolio["projects"][0]["id"]
    trashed = upload(auth_client, portfolio["id"], image_bytes("PNG"), "p.png",
                     item_type="projects", item_id=project).get_json()
    kept = upload(auth_client, portfolio["id"], pdf_bytes(), "k.pdf").get_json()
    response = auth_client.delete(f"{API}/{portfolio['id']}/projects/{project}")
    assert response.status_code == 204
    stored = Portfolio.objects.get(id=portfolio["id"])
    assert [p.id for p in stored.proofs] == [ObjectId(kept["id"])]
    assert [(p.id, p.trash_reason) for p in stored.trash] == [
        (ObjectId(trashed["id"]), "item_removed")]
    assert gridfs_counts(test_database)[0] == 3  # nothing deleted yet


def test_section_patch_dropping_items_trashes_their_proofs(auth_client, portfolio):
    first, second = portfolio["projects"][0]["id"], portfolio["projects"][1]["id"]
    dropped = upload(auth_client, portfolio["id"], pdf_bytes(), "a.pdf", item_type="projects",
                     item_id=first).get_json()
    keep = upload(auth_client, portfolio["id"], pdf_bytes(), "b.pdf", item_type="projects",
                  item_id=second).get_json()
    response = auth_client.patch(f"{API}/{portfolio['id']}", json={
        "projects": [p for p in portfolio["projects"] if p["id"] != first]})
    assert response.status_code == 200
    assert [p["id"] for p in response.get_json()["proofs"]] == [keep["id"]]
    trash = auth_client.get(f"{API}/{portfolio['id']}/proofs/trash").get_json()["data"]
    assert [p["id"] for p in trash] == [dropped["id"]]


def test_restore_trashes_and_brings_back_proofs(auth_client, portfolio):
    url = f"{API}/{portfolio['id']}"
    project = portfolio["projects"][0]["id"]
    proof = upload(auth_client, portfolio["id"], pdf_bytes(), "a.pdf", item_type="projects",
                   item_id=project).get_json()
    restored = auth_client.post(f"{url}/versions/1/restore")  # before any project existed
    assert restored.status_code == 200
    assert restored.get_json()["proofs"] == []
    assert auth_client.get(f"{url}/proofs/{proof['id']}/file").status_code == 404
    latest = auth_client.get(f"{url}/versions").get_json()["data"][1]["version"]
    back = auth_client.post(f"{url}/versions/{latest}/restore").get_json()
    assert project in [p["id"] for p in back["projects"]]
    assert [p["id"] for p in back["proofs"]] == [proof["id"]]
    assert auth_client.get(f"{url}/proofs/{proof['id']}/file").status_code == 200
    assert auth_client.get(f"{url}/proofs/trash").get_json()["data"] == []


def test_deleting_the_portfolio_deletes_its_files(auth_client, portfolio, test_database):
    upload(auth_client, portfolio["id"], image_bytes("JPEG"), "a.jpg")
    upload(auth_client, portfolio["id"], pdf_bytes(), "a.pdf")
    assert auth_client.delete(f"{API}/{portfolio['id']}").status_code == 204
    assert gridfs_counts(test_database) == (0, 0)


def test_duplicate_copies_files_and_remaps_items(auth_client, portfolio, test_database):
    project = portfolio["projects"][0]["id"]
    image = upload(auth_client, portfolio["id"], image_bytes("PNG"), "p.png",
                   item_type="projects", item_id=project).get_json()
    auth_client.patch(f"{API}/{portfolio['id']}", json={"profile": {"photo_proof_id": image["id"]}})
    copy = auth_client.post(f"{API}/{portfolio['id']}/duplicate").get_json()
    assert gridfs_counts(test_database)[0] == 4
    copied = copy["proofs"][0]
    assert copied["id"] != image["id"] and copied["sha256"] == image["sha256"]
    assert copied["item_id"] == copy["projects"][0]["id"] != project
    assert copy["profile"]["photo_proof_id"] == copied["id"]
    assert auth_client.delete(f"{API}/{portfolio['id']}").status_code == 204
    response = auth_client.get(f"{API}/{copy['id']}/proofs/{copied['id']}/file?thumbnail=1")
    assert response.status_code == 200
    assert auth_client.get(f"{API}/{copy['id']}/proofs/{copied['id']}/file").status_code == 200


def test_duplicate_over_quota_is_413_and_leaves_no_copy(make_app, test_database):
    client = signed_in_client(make_app(USER_STORAGE_QUOTA_BYTES=100 * 1024), "dup@example.com")
    portfolio = client.post(f"{API}/", json={"title": "Big"}).get_json()
    upload(client, portfolio["id"], mp4_bytes(60 * 1024), "a.mp4")
    response = client.post(f"{API}/{portfolio['id']}/duplicate")
    assert response.status_code == 413
    assert client.get(f"{API}/").get_json()["pagination"]["total"] == 1
    assert gridfs_counts(test_database)[0] == 1


def test_account_export_contains_the_files(auth_client, portfolio):
    proof = upload(auth_client, portfolio["id"], pdf_bytes(), "scan.pdf").get_json()
    with auth_client.application.app_context():
        from app.models import User
        from app.services.accounts import export_account
        archive = zipfile.ZipFile(export_account(User.objects.get(id=auth_client.user["id"])))
    name = f"proofs/{portfolio['slug']}/{proof['id']}-scan.pdf"
    assert archive.read(name) == pdf_bytes()


def test_orphan_cleanup(app, auth_client, portfolio, test_database):
    kept = upload(auth_client, portfolio["id"], pdf_bytes(), "k.pdf").get_json()
    with app.app_context():
        lost = proofs.bucket().upload_from_stream("lost.pdf", pdf_bytes())
        proofs.bucket().upload_from_stream("young.pdf", pdf_bytes())
    old_chunkless = ObjectId.from_datetime(utcnow() - timedelta(days=1))
    test_database["proofs.chunks"].insert_one({"files_id": old_chunkless, "n": 0, "data": b"x"})
    test_database["proofs.files"].update_one({"_id": lost},
                                             {"$set": {"uploadDate": utcnow()
                                                       - timedelta(days=1)}})
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["proofs-cleanup", "--dry-run"])
    assert f"orphan file {lost}" in dry.output and f"orphan chunks of {old_chunkless}" in dry.output
    assert "would remove 1 orphan files" in dry.output
    assert gridfs_counts(test_database) == (3, 4)
    result = runner.invoke(args=["proofs-cleanup"])
    assert result.exit_code == 0 and "removed 1 orphan files" in result.output
    assert gridfs_counts(test_database) == (2, 2)  # the kept proof and the young upload
    kept_file = Portfolio.objects.get(id=portfolio["id"]).proofs[0].file_id
    assert test_database["proofs.files"].count_documents({"_id": kept_file}) == 1
    assert kept["id"]


# --- serving -------------------------------------------------------------------------------------

@pytest.fixture
def video(auth_client, portfolio):
    content = mp4_bytes(8 * 256 * 1024)  # 2 MB: several GridFS chunks
    proof = upload(auth_client, portfolio["id"], content, "demo.mp4").get_json()
    return f"{API}/{portfolio['id']}/proofs/{proof['id']}/file", content, proof


@pytest.mark.parametrize("header, start, end", [
    ("bytes=0-9", 0, 10), ("bytes=100-", 100, None), ("bytes=-50", -50, None),
    ("bytes=261000-262200", 261000, 262201), ("bytes=1048570-1048580", 1048570, 1048581),
])
def test_range_responses_are_byte_exact(auth_client, video, header, start, end):
    url, content, _ = video
    response = auth_client.get(url, headers={"Range": header})
    assert response.status_code == 206
    expected = content[start:end] if end is not None else content[start:]
    assert response.data == expected
    assert response.headers["Content-Length"] == str(len(expected))
    first = start if start >= 0 else len(content) + start
    assert response.headers["Content-Range"] == \
        f"bytes {first}-{first + len(expected) - 1}/{len(content)}"


def test_successive_seeks_and_full_download(auth_client, video):
    url, content, proof = video
    for offset in range(0, len(content), 300_001):
        part = auth_client.get(url, headers={"Range": f"bytes={offset}-{offset + 999}"}).data
        assert part == content[offset:offset + 1000]
    full = auth_client.get(url)
    assert full.status_code == 200 and full.data == content
    assert full.headers["Accept-Ranges"] == "bytes"
    assert full.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in full.headers["Content-Security-Policy"]
    assert full.headers["Content-Disposition"].startswith("attachment;")
    assert full.headers["Cache-Control"].startswith("private")
    assert full.headers["ETag"] == f'"{proof["sha256"]}"'


def test_unsatisfiable_range_is_416_and_etag_gives_304(auth_client, video):
    url, content, proof = video
    response = auth_client.get(url, headers={"Range": f"bytes={len(content)}-"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(content)}"
    not_modified = auth_client.get(url, headers={"If-None-Match": f'"{proof["sha256"]}"'})
    assert not_modified.status_code == 304 and not_modified.data == b""
    # A proxy that compressed the file weakened its ETag: still the same file.
    weak = auth_client.get(url, headers={"If-None-Match": f'W/"{proof["sha256"]}"'})
    assert weak.status_code == 304
    changed = auth_client.get(url, headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200
    stale_range = auth_client.get(url, headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert stale_range.status_code == 200 and stale_range.data == content


def test_pdfs_are_downloads_with_a_safe_name_and_images_inline(auth_client, portfolio, client):
    """A PDF is never shown in the site's own origin: even a PDF/HTML polyglot stays a file."""
    proof = upload(auth_client, portfolio["id"], pdf_bytes(),
                   "../../Diplôme final\x07.pdf", visibility="public").get_json()
    assert proof["filename"] == "Diplôme final.pdf"
    for response in (auth_client.get(f"{API}/{portfolio['id']}/proofs/{proof['id']}/file"),
                     client.get(f"/p/{portfolio['slug']}/proofs/{proof['id']}")):
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and "\r" not in disposition
        assert "filename*=UTF-8''Dipl%C3%B4me%20final.pdf" in disposition
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    image = upload(auth_client, portfolio["id"], image_bytes("PNG"), "me.png").get_json()
    shown = auth_client.get(f"{API}/{portfolio['id']}/proofs/{image['id']}/file")
    assert shown.headers["Content-Disposition"].startswith("inline;")


def raw_pdf(*objects):
    """A PDF written by hand from its objects' bodies, with a correct cross-reference table."""
    output = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    output += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    output += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(output)


PAGES = (b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
         b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>")


@pytest.mark.parametrize("content, refusal", [
    (lambda: pdf_bytes(open_action={"/S": NameObject("/JavaScript"),
                                    "/JS": TextStringObject("app.alert(1)")}), "JavaScript"),
    (lambda: pdf_bytes(open_action={"/S": NameObject("/Launch"),
                                    "/F": TextStringObject("calc.exe")}), "launch action"),
    # The same names escaped (#61 is "a"), as malware writes them to dodge naive scanners.
    (lambda: raw_pdf(b"<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>", *PAGES,
                     b"<</S/J#61vaScript/J#53(app.alert(1))>>"), "JavaScript"),
    (lambda: raw_pdf(b"<</Type/Catalog/Pages 2 0 R/Names<</JavaScript 4 0 R>>>>", *PAGES,
                     b"<</Names[(x) 5 0 R]>>", b"<</S/JavaScript/JS(app.alert(1))>>"),
     "JavaScript"),
    (lambda: b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n", "damaged"),
])
def test_pdfs_that_could_run_something_are_refused(auth_client, portfolio, test_database,
                                                    content, refusal):
    response = upload(auth_client, portfolio["id"], content(), "cv.pdf")
    assert response.status_code == 415, response.get_json()
    assert refusal in response.get_json()["message"]
    assert gridfs_counts(test_database) == (0, 0)


def test_a_polyglot_that_is_a_passive_pdf_is_only_ever_a_download(auth_client, portfolio,
                                                                  client):
    """Valid PDF structure, HTML inside: stored as a PDF, served as an attachment, sandboxed."""
    html = b"<html><script>alert(document.cookie)</script></html>"
    polyglot = raw_pdf(b"<</Type/Catalog/Pages 2 0 R>>", *PAGES,
                       b"<</Length %d>>\nstream\n%s\nendstream" % (len(html), html))
    proof = upload(auth_client, portfolio["id"], polyglot, "cv.pdf", visibility="public")
    assert proof.status_code == 201, proof.get_json()
    served = client.get(f"/p/{portfolio['slug']}/proofs/{proof.get_json()['id']}")
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert served.headers["X-Content-Type-Options"] == "nosniff"


# --- visibility matrix ---------------------------------------------------------------------------

def recruiter_token(client, portfolio_id):
    response = client.post(f"{API}/{portfolio_id}/recruiter-links/", json={"label": "ACME"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def test_visibility_matrix_of_every_route(auth_client, client, portfolio):
    """Owner sees all; /p only effectively public; /r public + recruiter; 404 otherwise."""
    items = items_by_visibility(portfolio)
    token = recruiter_token(auth_client, portfolio["id"])
    cases = []
    for item_visibility, item_id in items.items():
        for own_visibility in ("public", "recruiter", "private"):
            proof = upload(auth_client, portfolio["id"], pdf_bytes(), "m.pdf",
                           item_type="projects", item_id=item_id,
                           visibility=own_visibility).get_json()
            effective = max(item_visibility, own_visibility,
                            key=["public", "recruiter", "private"].index)
            cases.append((proof["id"], effective))
    profile_proof = upload(auth_client, portfolio["id"], pdf_bytes(), "m.pdf",
                           visibility="public").get_json()
    cases.append((profile_proof["id"], "public"))
    assert len(items) == 3

    for proof_id, effective in cases:
        owner = auth_client.get(f"{API}/{portfolio['id']}/proofs/{proof_id}/file")
        public = client.get(f"/p/{portfolio['slug']}/proofs/{proof_id}")
        recruiter = client.get(f"/r/{token}/proofs/{proof_id}")
        assert owner.status_code == 200
        assert public.status_code == (200 if effective == "public" else 404), effective
        assert recruiter.status_code == (200 if effective != "private" else 404), effective
        if public.status_code == 200:
            assert public.headers["Cache-Control"].startswith("public")
            assert public.data == pdf_bytes()
        if recruiter.status_code == 200:
            assert recruiter.headers["Cache-Control"].startswith("private")

    public_id = profile_proof["id"]
    # Guessed ids, other slugs, bad tokens: all 404.
    assert client.get(f"/p/{portfolio['slug']}/proofs/{ObjectId()}").status_code == 404
    assert client.get(f"/p/no-such-slug/proofs/{public_id}").status_code == 404
    assert client.get(f"/r/not-a-token/proofs/{public_id}").status_code == 404
    assert client.get(f"{API}/{portfolio['id']}/proofs/{public_id}/file").status_code == 401

    # A private portfolio: 404 to the public, still open to its recruiter links.
    auth_client.patch(f"{API}/{portfolio['id']}", json={"is_private": True})
    assert client.get(f"/p/{portfolio['slug']}/proofs/{public_id}").status_code == 404
    assert client.get(f"/r/{token}/proofs/{public_id}").status_code == 200


def test_proof_of_another_portfolio_is_404_on_public_routes(auth_client, client, portfolio,
                                                            portfolio_factory):
    other = portfolio_factory(title="Other")
    theirs = upload(auth_client, other["id"], pdf_bytes(), "o.pdf", visibility="public").get_json()
    assert client.get(f"/p/{other['slug']}/proofs/{theirs['id']}").status_code == 200
    assert client.get(f"/p/{portfolio['slug']}/proofs/{theirs['id']}").status_code == 404
    token = recruiter_token(auth_client, portfolio["id"])
    assert client.get(f"/r/{token}/proofs/{theirs['id']}").status_code == 404


def test_password_protected_portfolio_needs_the_unlock_cookie(auth_client, client, portfolio):
    proof = upload(auth_client, portfolio["id"], image_bytes("PNG"), "p.png",
                   visibility="public").get_json()
    auth_client.patch(f"{API}/{portfolio['id']}", json={"password": "open sesame"})
    url = f"/p/{portfolio['slug']}/proofs/{proof['id']}"
    assert client.get(url).status_code == 404
    unlocked = client.post(f"/p/{portfolio['slug']}/unlock", data={"password": "open sesame"})
    assert unlocked.status_code == 303
    response = client.get(url + "?thumbnail=1")
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert response.headers["Cache-Control"].startswith("private")


def test_revoked_recruiter_link_is_410(auth_client, client, portfolio):
    proof = upload(auth_client, portfolio["id"], pdf_bytes(), "r.pdf",
                   visibility="recruiter").get_json()
    response = auth_client.post(f"{API}/{portfolio['id']}/recruiter-links/", json={"label": "X"})
    link = response.get_json()
    assert client.get(f"/r/{link['token']}/proofs/{proof['id']}").status_code == 200
    auth_client.delete(f"{API}/{portfolio['id']}/recruiter-links/{link['id']}")
    assert client.get(f"/r/{link['token']}/proofs/{proof['id']}").status_code == 410


def test_read_proof_bytes_only_for_images(app, auth_client, portfolio):
    image = upload(auth_client, portfolio["id"], image_bytes("JPEG"), "a.jpg").get_json()
    document = upload(auth_client, portfolio["id"], pdf_bytes(), "a.pdf").get_json()
    with app.app_context():
        loaded = Portfolio.objects.get(id=portfolio["id"])
        data, content_type = proofs.read_proof_bytes(loaded, image["id"])
        assert content_type == "image/jpeg" and hashlib.sha256(data).hexdigest() == image["sha256"]
        assert proofs.read_proof_bytes(loaded, image["id"], thumbnail=True)[1] == "image/webp"
        assert proofs.read_proof_bytes(loaded, document["id"]) is None
        assert proofs.read_proof_bytes(loaded, ObjectId()) is None


def test_orphan_chunks_of_a_killed_upload_are_removed_by_the_scheduled_cleanup(
        app, test_database):
    """mongod or the app killed mid-upload leaves chunks without a file entry: the daily beat
    task removes them once they are older than an upload could be."""
    from app import tasks
    schedule = app.extensions["celery"].conf.beat_schedule
    assert "vitrine.proofs_cleanup" in {entry["task"] for entry in schedule.values()}
    killed_upload = ObjectId.from_datetime(utcnow() - timedelta(hours=2))
    in_progress = ObjectId()
    test_database["proofs.chunks"].insert_many(
        [{"files_id": killed_upload, "n": n, "data": b"x" * 10} for n in range(3)]
        + [{"files_id": in_progress, "n": 0, "data": b"y"}])
    with app.app_context():
        assert tasks.proofs_cleanup.apply().get() == (0, 1)
    assert test_database["proofs.chunks"].distinct("files_id") == [in_progress]


def test_reserving_nothing_always_fits(app, monkeypatch):
    """A duplicate without files reserves 0 bytes: even when that changes nothing in the
    counter (same millisecond), it fits."""
    from app.services.proofs import storage
    moment = utcnow()
    monkeypatch.setattr(storage, "utcnow", lambda: moment)
    user_id = ObjectId()
    with app.app_context():
        assert storage.reserve(user_id, 0) and storage.reserve(user_id, 0)
