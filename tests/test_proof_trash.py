"""The proof trash: deleted proofs, and those of deleted items, keep their files for
PROOF_TRASH_DAYS, come back with a restore, never show to visitors, and are purged after."""
import io
import time
import zipfile
from datetime import timedelta

import pytest
from bson import ObjectId

from app.models.portfolio import Portfolio
from app.models.user import utcnow
from app.services import portfolios, proofs

from .test_proofs import API, gridfs_counts, image_bytes, pdf_bytes, upload


@pytest.fixture
def portfolio(portfolio_factory):
    return portfolio_factory(full=True)


def file_bytes(client, portfolio_id, proof_id):
    response = client.get(f"{API}/{portfolio_id}/proofs/{proof_id}/file")
    assert response.status_code == 200
    return response.data


def trash_of(client, portfolio_id):
    return client.get(f"{API}/{portfolio_id}/proofs/trash").get_json()["data"]


def test_delete_an_item_then_restore_the_version_before_it(auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    url = f"{API}/{portfolio['id']}"
    project = auth_client.post(f"{url}/projects", json={"name": "Thesis"}).get_json()
    proof = upload(auth_client, portfolio["id"], pdf_bytes(), "thesis.pdf",
                   item_type="projects", item_id=project["id"]).get_json()
    original = file_bytes(auth_client, portfolio["id"], proof["id"])
    time.sleep(1)
    assert auth_client.delete(f"{url}/projects/{project['id']}").status_code == 204
    assert auth_client.get(f"{url}/proofs/{proof['id']}/file").status_code == 404

    just_before = auth_client.get(f"{url}/versions").get_json()["data"][0]
    assert just_before["reason"] == "before removing items from projects"
    restored = auth_client.post(f"{url}/versions/{just_before['version']}/restore")
    assert restored.status_code == 200, restored.get_json()
    assert [p["id"] for p in restored.get_json()["projects"]] == [project["id"]]
    assert [p["id"] for p in restored.get_json()["proofs"]] == [proof["id"]]
    assert file_bytes(auth_client, portfolio["id"], proof["id"]) == original
    assert trash_of(auth_client, portfolio["id"]) == []


def test_a_restored_proof_is_readable_again_where_its_visibility_allows(
        auth_client, portfolio, client):
    url = f"{API}/{portfolio['id']}"
    project = portfolio["projects"][0]["id"]
    proof = upload(auth_client, portfolio["id"], image_bytes("PNG"), "shot.png",
                   item_type="projects", item_id=project, visibility="public").get_json()
    auth_client.delete(f"{url}/projects/{project}")
    before = auth_client.get(f"{url}/versions").get_json()["data"][0]["version"]
    auth_client.post(f"{url}/versions/{before}/restore")
    public = client.get(f"/p/{portfolio['slug']}/proofs/{proof['id']}")
    assert public.status_code == 200 and public.headers["Content-Type"] == "image/png"


def test_the_trash_is_never_shown_to_visitors_or_recruiters(auth_client, portfolio, client):
    url = f"{API}/{portfolio['id']}"
    project = portfolio["projects"][0]["id"]
    by_item = upload(auth_client, portfolio["id"], pdf_bytes(), "a.pdf", item_type="projects",
                     item_id=project, visibility="public").get_json()
    deleted = upload(auth_client, portfolio["id"], pdf_bytes(), "b.pdf",
                     visibility="public").get_json()
    auth_client.delete(f"{url}/projects/{project}")
    auth_client.delete(f"{url}/proofs/{deleted['id']}")
    assert {p["id"] for p in trash_of(auth_client, portfolio["id"])} == \
        {by_item["id"], deleted["id"]}
    token = auth_client.post(f"{url}/recruiter-links/", json={"label": "Acme"}).get_json()["token"]
    for proof_id in (by_item["id"], deleted["id"]):
        for path in (f"/p/{portfolio['slug']}/proofs/{proof_id}",
                     f"/r/{token}/proofs/{proof_id}",
                     f"/p/{portfolio['slug']}/proofs/{proof_id}?thumbnail=1"):
            assert client.get(path).status_code == 404, path
        for page in (f"/p/{portfolio['slug']}", f"/r/{token}",
                     f"/api/v1/public/{portfolio['slug']}", f"/api/v1/recruiter/{token}"):
            assert proof_id not in client.get(page).get_data(as_text=True), page


def test_restore_one_proof_from_the_trash(auth_client, portfolio):
    url = f"{API}/{portfolio['id']}/proofs"
    proof = upload(auth_client, portfolio["id"], pdf_bytes(), "a.pdf").get_json()
    version = auth_client.get(f"{API}/{portfolio['id']}").get_json()["version"]
    auth_client.delete(f"{url}/{proof['id']}")
    [trashed] = trash_of(auth_client, portfolio["id"])
    assert trashed["trash_reason"] == "proof_deleted" and trashed["trashed_at"].endswith("Z")
    restored = auth_client.post(f"{url}/trash/{proof['id']}/restore")
    assert restored.status_code == 200 and restored.get_json()["id"] == proof["id"]
    assert [p["id"] for p in auth_client.get(f"{url}/").get_json()["data"]] == [proof["id"]]
    assert auth_client.post(f"{url}/trash/{proof['id']}/restore").status_code == 404
    # Like every proof change, the trash does not bump the content version.
    assert auth_client.get(f"{API}/{portfolio['id']}").get_json()["version"] == version


def test_a_proof_whose_item_is_gone_comes_back_only_with_its_item(auth_client, portfolio):
    url = f"{API}/{portfolio['id']}"
    project = portfolio["projects"][0]["id"]
    proof = upload(auth_client, portfolio["id"], pdf_bytes(), "a.pdf", item_type="projects",
                   item_id=project).get_json()
    auth_client.delete(f"{url}/proofs/{proof['id']}")
    auth_client.delete(f"{url}/projects/{project}")
    refused = auth_client.post(f"{url}/proofs/trash/{proof['id']}/restore")
    assert refused.status_code == 422 and "restore a version" in refused.get_json()["message"]
    # Deleted by hand, not with its item: a restore of the item does not bring it back.
    before = auth_client.get(f"{url}/versions").get_json()["data"][0]["version"]
    assert auth_client.post(f"{url}/versions/{before}/restore").get_json()["proofs"] == []
    assert auth_client.post(f"{url}/proofs/trash/{proof['id']}/restore").status_code == 200


def test_trashed_files_count_in_the_quota_until_purged(auth_client, portfolio, app,
                                                       test_database):
    content = pdf_bytes(Subject="x" * 300_000)
    app.config["USER_STORAGE_QUOTA_BYTES"] = len(content) + 1000
    proof = upload(auth_client, portfolio["id"], content, "big.pdf").get_json()
    auth_client.delete(f"{API}/{portfolio['id']}/proofs/{proof['id']}")
    refused = upload(auth_client, portfolio["id"], content, "again.pdf")
    assert refused.status_code == 413
    assert "trash" in refused.get_json()["message"]
    purged = auth_client.delete(f"{API}/{portfolio['id']}/proofs/trash/{proof['id']}")
    assert purged.status_code == 204 and gridfs_counts(test_database) == (0, 0)
    assert upload(auth_client, portfolio["id"], content, "again.pdf").status_code == 201


def test_purge_after_the_grace_period(auth_client, portfolio, app, test_database):
    url = f"{API}/{portfolio['id']}/proofs"
    old = upload(auth_client, portfolio["id"], image_bytes("PNG"), "old.png").get_json()
    recent = upload(auth_client, portfolio["id"], pdf_bytes(), "recent.pdf").get_json()
    auth_client.delete(f"{url}/{old['id']}")
    Portfolio._get_collection().update_one(
        {"_id": ObjectId(portfolio["id"])},
        {"$set": {"trash.$[entry].trashed_at": utcnow() - timedelta(days=31)}},
        array_filters=[{"entry.id": ObjectId(old["id"])}])
    auth_client.delete(f"{url}/{recent['id']}")
    with app.app_context():
        assert proofs.purge_expired_trash(now=utcnow()) == 1
        assert proofs.purge_expired_trash(now=utcnow() + timedelta(days=29)) == 0
    assert [p["id"] for p in trash_of(auth_client, portfolio["id"])] == [recent["id"]]
    assert gridfs_counts(test_database)[0] == 1  # the image and its thumbnail are gone
    with app.app_context():
        assert proofs.purge_expired_trash(now=utcnow() + timedelta(days=31)) == 1
    assert trash_of(auth_client, portfolio["id"]) == [] and gridfs_counts(test_database) == (0, 0)


def test_cleanup_export_and_deletion_know_the_trash(auth_client, portfolio, app, test_database):
    proof = upload(auth_client, portfolio["id"], pdf_bytes(), "kept.pdf").get_json()
    auth_client.delete(f"{API}/{portfolio['id']}/proofs/{proof['id']}")
    with app.app_context():
        assert proofs.find_orphans(timedelta(0)) == ([], [])
    runner = app.test_cli_runner()
    assert "purged 0 proofs" in runner.invoke(args=["proofs-trash-purge"]).output
    export = zipfile.ZipFile(io.BytesIO(auth_client.get("/api/v1/auth/me/export").data))
    assert f"proofs/{portfolio['slug']}/trash/{proof['id']}-kept.pdf" in export.namelist()
    assert auth_client.delete(f"{API}/{portfolio['id']}").status_code == 204
    assert gridfs_counts(test_database) == (0, 0)


def limit_proofs_to(count, monkeypatch):
    """The limit, as both its users (uploads and restores) read it."""
    monkeypatch.setattr(proofs, "MAX_PROOFS_PER_PORTFOLIO", count)
    monkeypatch.setattr(portfolios, "MAX_PROOFS_PER_PORTFOLIO", count)


def _image_on_a_project(auth_client, portfolio):
    project = portfolio["projects"][0]["id"]
    image = upload(auth_client, portfolio["id"], image_bytes("PNG"), "me.png",
                   item_type="projects", item_id=project, visibility="public").get_json()
    return project, image


def test_a_restore_brings_back_the_photo_and_background_with_their_proof(auth_client,
                                                                        portfolio_factory):
    """An image attached to a project is the profile photo and the background. Delete the
    project, restore the version saved just before: the project, the proof, the photo and the
    background all come back (the proof is revived by the same write)."""
    portfolio = portfolio_factory(full=True)
    url = f"{API}/{portfolio['id']}"
    project, image = _image_on_a_project(auth_client, portfolio)
    assert auth_client.patch(url, json={
        "profile": {"photo_proof_id": image["id"]},
        "theme": {"background_image_proof_id": image["id"]}}).status_code == 200
    assert auth_client.delete(f"{url}/projects/{project}").status_code == 204
    before = auth_client.get(f"{url}/versions").get_json()["data"][0]["version"]
    restored = auth_client.post(f"{url}/versions/{before}/restore").get_json()
    assert image["id"] in [p["id"] for p in restored["proofs"]]  # the proof is back...
    assert restored["profile"].get("photo_proof_id") == image["id"]  # ...but not the photo
    assert restored["theme"].get("background_image_proof_id") == image["id"]


def test_a_photo_reference_to_a_trashed_proof_does_not_block_saving(auth_client,
                                                                    portfolio_factory):
    """After the project holding the photo is deleted, the profile still names the trashed
    proof (a restore may bring it back). An editor sending back the profile it read saves."""
    portfolio = portfolio_factory(full=True)
    url = f"{API}/{portfolio['id']}"
    project, image = _image_on_a_project(auth_client, portfolio)
    auth_client.patch(url, json={"profile": {"photo_proof_id": image["id"]}})
    auth_client.delete(f"{url}/projects/{project}")
    profile = auth_client.get(url).get_json()["profile"]
    profile["headline"] = "New headline"
    saved = auth_client.patch(url, json={"profile": profile})
    assert saved.status_code == 200, saved.get_json()


def test_a_version_restore_revives_no_more_proofs_than_fit(auth_client, portfolio_factory,
                                                          monkeypatch):
    """Proofs come back from the trash only while the portfolio has room for them; the others
    stay in the trash."""
    limit_proofs_to(2, monkeypatch)
    portfolio = portfolio_factory(full=True)
    url = f"{API}/{portfolio['id']}"
    project = portfolio["projects"][0]["id"]
    for name in ("a", "b"):
        assert upload(auth_client, portfolio["id"], pdf_bytes(), f"{name}.pdf",
                      item_type="projects", item_id=project).status_code == 201
    auth_client.delete(f"{url}/projects/{project}")
    before = auth_client.get(f"{url}/versions").get_json()["data"][0]["version"]
    for name in ("c", "d"):
        assert upload(auth_client, portfolio["id"], pdf_bytes(), f"{name}.pdf").status_code == 201
    restored = auth_client.post(f"{url}/versions/{before}/restore").get_json()
    assert [p["filename"] for p in restored["proofs"]] == ["c.pdf", "d.pdf"]
    assert sorted(p["filename"] for p in trash_of(auth_client, portfolio["id"])) == \
        ["a.pdf", "b.pdf"]


def test_a_single_restore_is_refused_when_the_portfolio_is_full(auth_client, portfolio_factory,
                                                               monkeypatch):
    limit_proofs_to(2, monkeypatch)
    portfolio = portfolio_factory()
    url = f"{API}/{portfolio['id']}/proofs"
    first = upload(auth_client, portfolio["id"], pdf_bytes(), "a.pdf").get_json()
    auth_client.delete(f"{url}/{first['id']}")
    for name in ("b", "c"):
        assert upload(auth_client, portfolio["id"], pdf_bytes(), f"{name}.pdf").status_code == 201
    restored = auth_client.post(f"{url}/trash/{first['id']}/restore")
    assert restored.status_code == 422 and "already holds 2 proofs" in \
        restored.get_json()["message"]
    assert len(auth_client.get(f"{url}/").get_json()["data"]) == 2


def test_an_upload_racing_an_item_delete_leaves_no_orphan(auth_client, portfolio_factory,
                                                         monkeypatch, test_database):
    """The item is deleted while the file is being stored: the push's filter misses, the files
    go, 422; pushed just before the delete: the delete's pipeline trashes it."""
    portfolio = portfolio_factory(full=True)
    url = f"{API}/{portfolio['id']}"
    project = portfolio["projects"][0]["id"]
    real_store = proofs.store
    calls = []

    def store_then_delete(*args, **kwargs):
        stored = real_store(*args, **kwargs)
        if not calls:
            calls.append(1)
            Portfolio._get_collection().update_one(
                {"_id": ObjectId(portfolio["id"])},
                {"$pull": {"projects": {"id": ObjectId(project)}}, "$inc": {"version": 1}})
        return stored
    monkeypatch.setattr(proofs, "store", store_then_delete)
    refused = upload(auth_client, portfolio["id"], pdf_bytes(), "a.pdf", item_type="projects",
                     item_id=project)
    assert refused.status_code == 422
    assert test_database["proofs.files"].count_documents({}) == 0
    monkeypatch.undo()
    other = portfolio["projects"][1]["id"]
    proof = upload(auth_client, portfolio["id"], pdf_bytes(), "b.pdf", item_type="projects",
                   item_id=other).get_json()
    assert auth_client.delete(f"{url}/projects/{other}").status_code == 204
    assert [p["id"] for p in trash_of(auth_client, portfolio["id"])] == [proof["id"]]
    raw = Portfolio._get_collection().find_one({"_id": ObjectId(portfolio["id"])})
    assert not raw["proofs"]


def test_naming_a_trashed_photo_again_brings_it_back(auth_client, portfolio, client):
    """The editor trashes a removed photo; its Undo names it again as the photo."""
    url = f"{API}/{portfolio['id']}"
    photo = upload(auth_client, portfolio["id"], image_bytes("PNG"), "me.png",
                   visibility="public").get_json()
    auth_client.patch(url, json={"profile": {"photo_proof_id": photo["id"]}})
    auth_client.patch(url, json={"profile": {"photo_proof_id": None}})
    auth_client.delete(f"{url}/proofs/{photo['id']}")
    assert client.get(f"/p/{portfolio['slug']}/proofs/{photo['id']}").status_code == 404
    undone = auth_client.patch(url, json={"profile": {"photo_proof_id": photo["id"]}})
    assert undone.status_code == 200, undone.get_json()
    assert undone.get_json()["profile"]["photo_proof_id"] == photo["id"]
    assert photo["id"] in [p["id"] for p in undone.get_json()["proofs"]]
    assert trash_of(auth_client, portfolio["id"]) == []
    assert client.get(f"/p/{portfolio['slug']}/proofs/{photo['id']}").status_code == 200
    # Another portfolio's proof, or a document, is still refused.
    document = upload(auth_client, portfolio["id"], pdf_bytes(), "cv.pdf").get_json()
    auth_client.delete(f"{url}/proofs/{document['id']}")
    refused = auth_client.patch(url, json={"profile": {"photo_proof_id": document["id"]}})
    assert refused.status_code == 422


def test_old_photos_are_not_listed_as_documents(auth_client, portfolio, client):
    url = f"{API}/{portfolio['id']}"
    old, current = (upload(auth_client, portfolio["id"], image_bytes("PNG"), f"{name}.png",
                           visibility="public").get_json() for name in ("old", "current"))
    cv = upload(auth_client, portfolio["id"], pdf_bytes(), "cv.pdf", visibility="public")
    auth_client.patch(url, json={"profile": {"photo_proof_id": current["id"]}})
    page = client.get(f"/p/{portfolio['slug']}").get_data(as_text=True)
    assert f"/proofs/{old['id']}" not in page
    assert page.count(f"/proofs/{current['id']}") >= 1  # the photo itself
    assert f"/proofs/{cv.get_json()['id']}" in page  # a profile document is listed
