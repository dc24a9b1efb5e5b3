"""The portfolio document and the editing API (owner only)."""
import threading

import pytest
from bson import ObjectId

from app.demo_content import demo_portfolio_content
from app.models.portfolio import Portfolio, PortfolioVersion

from .conftest import PASSWORD

API = "/api/v1/portfolios"


def test_create_generates_a_slug_from_the_title(auth_client):
    response = auth_client.post(f"{API}/", json={"title": "Zoé Durand — Développeuse"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["slug"] == "zoe-durand-developpeuse"
    assert body["version"] == 1 and body["id"]
    assert response.headers["ETag"] == '"1"'
    again = auth_client.post(f"{API}/", json={"title": "Zoé Durand — Développeuse"}).get_json()
    assert again["slug"] == "zoe-durand-developpeuse-2"


@pytest.mark.parametrize("slug, status", [
    ("api", 422), ("admin", 422), ("Upper-Case", 422), ("a", 422), ("-dash-first", 422),
    ("javascript:alert(1)", 422), ("good-slug", 201),
])
def test_slug_rules(auth_client, slug, status):
    response = auth_client.post(f"{API}/", json={"title": "T", "slug": slug})
    assert response.status_code == status, response.get_json()


def test_slug_taken_is_409(auth_client, portfolio_factory):
    portfolio_factory(slug="taken-slug")
    response = auth_client.post(f"{API}/", json={"title": "T", "slug": "taken-slug"})
    assert response.status_code == 409
    assert response.get_json()["errors"] == {"slug": ["Already taken."]}


def test_list_only_shows_my_portfolios(auth_client, portfolio_factory, register, client):
    portfolio_factory(title="Mine")
    other = register()
    client.post(f"{API}/", json={"title": "Theirs"},
                headers={"Authorization": f"Bearer {other['access_token']}"})
    body = auth_client.get(f"{API}/").get_json()
    assert [p["title"] for p in body["data"]] == ["Mine"]
    assert body["pagination"] == {"offset": 0, "limit": 20, "total": 1}


def test_another_users_portfolio_is_404_whatever_the_method(portfolio_factory, register, client):
    portfolio = portfolio_factory(full=True)
    intruder = {"Authorization": f"Bearer {register()['access_token']}"}
    url = f"{API}/{portfolio['id']}"
    project_id = portfolio["projects"][0]["id"]
    attempts = [
        client.get(url, headers=intruder),
        client.patch(url, json={"title": "pwned"}, headers=intruder),
        client.delete(url, headers=intruder),
        client.post(f"{url}/duplicate", headers=intruder),
        client.get(f"{url}/projects", headers=intruder),
        client.post(f"{url}/projects", json={"name": "x"}, headers=intruder),
        client.patch(f"{url}/projects/{project_id}", json={"name": "x"}, headers=intruder),
        client.delete(f"{url}/projects/{project_id}", headers=intruder),
        client.put(f"{url}/projects/order", json={"ids": []}, headers=intruder),
        client.get(f"{url}/versions", headers=intruder),
        client.post(f"{url}/versions/1/restore", headers=intruder),
    ]
    assert [response.status_code for response in attempts] == [404] * len(attempts)
    assert Portfolio.objects.get(id=portfolio["id"]).title == "My portfolio"
    assert client.get(f"{API}/not-an-id", headers=intruder).status_code == 404


def test_get_returns_every_visibility_and_an_etag(auth_client, portfolio_factory):
    portfolio = portfolio_factory(full=True)
    response = auth_client.get(f"{API}/{portfolio['id']}")
    assert response.status_code == 200
    body = response.get_json()
    assert response.headers["ETag"] == f'"{body["version"]}"'
    visibilities = {item["visibility"] for item in body["projects"]}
    assert visibilities == {"public", "recruiter", "private"}
    assert "owner" not in body and "password_hash" not in body


def test_full_portfolio_round_trips(auth_client, portfolio_factory):
    portfolio = portfolio_factory(full=True)
    sent = demo_portfolio_content()
    assert len(portfolio["projects"]) == len(sent["projects"])
    assert portfolio["skills"][0]["project_ids"] == [p["id"] for p in portfolio["projects"][:3]]
    assert portfolio["layout"]["sections"][2]["style"] == {"display": "cards"}
    assert portfolio["profile"]["availability"] == "internship"
    assert portfolio["experiences"][1]["current"] is True


def test_a_new_portfolio_is_an_unpublished_draft(auth_client, client):
    created = auth_client.post(f"{API}/", json={"title": "Fresh start"}).get_json()
    assert created["is_private"] is True
    assert client.get(f"/p/{created['slug']}").status_code == 404
    assert client.get(f"/api/v1/public/{created['slug']}").status_code == 404
    assert client.get(f"/p/{created['slug']}.pdf").status_code == 404
    published = auth_client.post(f"{API}/", json={"title": "Out there", "is_private": False})
    assert published.get_json()["is_private"] is False
    assert client.get(f"/p/{published.get_json()['slug']}").status_code == 200
    # Publishing is an explicit act: the editor's Publish button.
    auth_client.patch(f"{API}/{created['id']}", json={"is_private": False})
    assert client.get(f"/p/{created['slug']}").status_code == 200


def test_profile_patch_merges_and_null_clears_one_key(auth_client, portfolio_factory):
    portfolio = portfolio_factory(full=True)
    url = f"{API}/{portfolio['id']}"
    before = portfolio["profile"]
    assert before["headline"] and before["bio"] and before["email"] and before["phone"]
    response = auth_client.patch(url, json={"profile": {"location": None, "headline": "New"}})
    assert response.status_code == 200, response.get_json()
    after = response.get_json()["profile"]
    assert after == {**before, "location": None, "headline": "New"}
    # Contact visibility cleared falls back to its safe default.
    cleared = auth_client.patch(url, json={"profile": {"contact_visibility": None}}).get_json()
    assert cleared["profile"]["contact_visibility"] == "recruiter"
    assert cleared["profile"]["bio"] == before["bio"]


def test_theme_merges_and_layout_is_replaced_whole(auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    url = f"{API}/{portfolio['id']}"
    auth_client.patch(url, json={
        "theme": {"primary_color": "#112233", "accent_color": "#445566", "body_font": "serif"},
        "layout": {"columns": 2, "sections": [{"section": "projects"}, {"section": "skills"}]}})
    body = auth_client.patch(url, json={
        "theme": {"accent_color": None, "heading_font": "mono"},
        "layout": {"sections": [{"section": "skills"}]}}).get_json()
    assert body["theme"] == {"primary_color": "#112233", "body_font": "serif",
                             "heading_font": "mono"}
    assert body["layout"]["columns"] == 1  # not merged: the default again
    assert [entry["section"] for entry in body["layout"]["sections"]] == ["skills"]
    refused = auth_client.patch(url, json={"theme": {"accent_color": "red"}})
    assert refused.status_code == 422 and "theme" in refused.get_json()["errors"]


def test_merge_patch_follows_rfc_7396():
    from app.services.portfolios import merge_patch
    target = {"a": "b", "c": {"d": "e", "f": "g"}, "h": ["i"]}
    assert merge_patch(target, {"a": "z", "c": {"f": None}, "h": ["j"], "k": {"l": None}}) == \
        {"a": "z", "c": {"d": "e"}, "h": ["j"], "k": {}}
    assert target == {"a": "b", "c": {"d": "e", "f": "g"}, "h": ["i"]}  # not changed in place


def test_autosave_increments_the_version(auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    url = f"{API}/{portfolio['id']}"
    first = auth_client.patch(url, json={"title": "Draft 1", "version": 1})
    assert first.status_code == 200 and first.get_json()["version"] == 2
    second = auth_client.patch(url, json={"description": "Hello"}, headers={"If-Match": '"2"'})
    assert second.get_json()["version"] == 3
    assert second.headers["ETag"] == '"3"'
    assert Portfolio.objects.get(id=portfolio["id"]).title == "Draft 1"


def test_stale_version_is_409_and_writes_nothing(auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    url = f"{API}/{portfolio['id']}"
    auth_client.patch(url, json={"title": "Newer", "version": 1})
    stale = auth_client.patch(url, json={"title": "Older", "version": 1})
    assert stale.status_code == 409
    assert stale.get_json()["current_version"] == 2
    stale_header = auth_client.patch(url, json={"title": "Older"}, headers={"If-Match": '"1"'})
    assert stale_header.status_code == 409
    stored = Portfolio.objects.get(id=portfolio["id"])
    assert (stored.title, stored.version) == ("Newer", 2)


def test_if_match_that_is_not_a_version_is_400(auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    url = f"{API}/{portfolio['id']}"
    # "²" passes str.isdigit() but not int(); 5,000 digits exceed Python's int parsing limit.
    for header in ('"²"', '"' + "9" * 5000 + '"', '"abc"', '"1", "2"'):
        response = auth_client.patch(url, json={"title": "No"}, headers={"If-Match": header})
        assert response.status_code == 400, header
        assert response.get_json()["code"] == 400
    assert Portfolio.objects.get(id=portfolio["id"]).version == 1


def test_version_guarded_writes_document_if_match_and_the_409_body(auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    stale = auth_client.patch(f"{API}/{portfolio['id']}", json={"title": "No"},
                              headers={"If-Match": '"7"'})
    assert stale.status_code == 409
    spec = auth_client.get("/api/v1/openapi.json").get_json()
    conflict = spec["components"]["schemas"]["VersionConflict"]
    # The default error schema allows no other field: the 409's own schema must name them.
    assert set(stale.get_json()) <= set(conflict["properties"])
    base = "/api/v1/portfolios/{portfolio_id}"
    guarded = [(base, "patch"), (f"{base}/versions/{{number}}/restore", "post"),
               (f"{base}/skills", "post"), (f"{base}/skills/order", "put"),
               (f"{base}/skills/{{item_id}}", "patch"), (f"{base}/skills/{{item_id}}", "delete")]
    for path, method in guarded:
        operation = spec["paths"][path][method]
        assert operation["responses"]["409"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/VersionConflict"}, (method, path)
        assert any(p["in"] == "header" and p["name"] == "If-Match"
                   for p in operation.get("parameters", [])), (method, path)


def test_two_editors_racing_on_one_version_exactly_one_wins(app, auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    url = f"{API}/{portfolio['id']}"
    token = auth_client.environ_base["HTTP_AUTHORIZATION"]
    barrier = threading.Barrier(6)
    statuses = []

    def editor(number):
        client = app.test_client()
        barrier.wait()
        response = client.patch(url, json={"title": f"Editor {number}", "version": 1},
                                headers={"Authorization": token})
        statuses.append((response.status_code, number))

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [number for status, number in statuses if status == 200]
    assert len(winners) == 1
    assert sorted(status for status, _ in statuses) == [200] + [409] * 5
    stored = Portfolio.objects.get(id=portfolio["id"])
    assert stored.version == 2 and stored.title == f"Editor {winners[0]}"


def test_item_edits_without_version_from_two_tabs_both_land(app, auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    url = f"{API}/{portfolio['id']}/trainings"
    token = auth_client.environ_base["HTTP_AUTHORIZATION"]
    barrier = threading.Barrier(4)

    def tab(number):
        barrier.wait()
        app.test_client().post(url, json={"title": f"Training {number}"},
                               headers={"Authorization": token})

    threads = [threading.Thread(target=tab, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    titles = sorted(t.title for t in Portfolio.objects.get(id=portfolio["id"]).trainings)
    assert titles == [f"Training {n}" for n in range(4)]


def test_additions_land_however_busy_the_portfolio(auth_client, portfolio_factory, monkeypatch):
    """Another tab saves between every read and write of this request: an addition needs no
    read-modify-write, so it lands anyway (and a refused one is still explained)."""
    from app.services import portfolios
    portfolio = portfolio_factory()
    real_get_owned = portfolios.get_owned

    def busy_get_owned(portfolio_id, user):
        loaded = real_get_owned(portfolio_id, user)
        Portfolio.objects(id=portfolio_id).update_one(inc__version=1)  # the other tab
        return loaded
    monkeypatch.setattr(portfolios, "get_owned", busy_get_owned)
    url = f"{API}/{portfolio['id']}"
    added = auth_client.post(f"{url}/projects", json={"name": "Busy"})
    assert added.status_code == 201, added.get_json()
    dangling = auth_client.post(f"{url}/skills", json={"name": "Go",
                                                       "project_ids": [str(ObjectId())]})
    assert dangling.status_code == 422 and "skills" in dangling.get_json()["errors"]
    taken = auth_client.post(f"{url}/projects", json={"name": "Again",
                                                      "id": added.get_json()["id"]})
    assert taken.status_code == 409


def test_ten_concurrent_additions_all_land(app, auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    url = f"{API}/{portfolio['id']}"
    project = auth_client.post(f"{url}/projects", json={"name": "Proof"}).get_json()
    version = Portfolio.objects.get(id=portfolio["id"]).version
    token = auth_client.environ_base["HTTP_AUTHORIZATION"]
    barrier = threading.Barrier(10)
    statuses = []

    def writer(number):
        barrier.wait()
        statuses.append(app.test_client().post(
            f"{url}/skills", json={"name": f"Skill {number}", "project_ids": [project["id"]]},
            headers={"Authorization": token}).status_code)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = Portfolio.objects.get(id=portfolio["id"])
    assert statuses == [201] * 10
    assert sorted(skill.name for skill in stored.skills) == sorted(f"Skill {n}" for n in range(10))
    assert stored.version == version + 10


@pytest.mark.parametrize("section, item, field", [
    ("diplomas", {"title": "BSc", "level": "phd"}, "level"),
    ("diplomas", {"title": "BSc", "start_date": "2024-13"}, "start_date"),
    ("diplomas", {"title": "BSc", "start_date": "2024-02-30"}, "start_date"),
    ("diplomas", {"title": "BSc", "start_date": "2024", "end_date": "2023"}, "end_date"),
    ("diplomas", {"institution": "No title"}, "title"),
    ("certifications", {"name": "X", "credential_url": "javascript:alert(1)"}, "credential_url"),
    ("experiences", {"role": "Dev", "type": "slave"}, "type"),
    ("experiences", {"role": "Dev", "achievements": "not a list"}, "achievements"),
    # 0 == False and 1 == True in Python: a set lookup alone let them through.
    ("experiences", {"role": "Dev", "current": 1}, "current"),
    ("experiences", {"role": "Dev", "current": 0.0}, "current"),
    ("trainings", {"title": "T", "hours": -3}, "hours"),
    ("projects", {"name": "P", "demo_url": "ftp://x.org"}, "demo_url"),
    ("projects", {"name": "P", "description": "x" * 10001}, "description"),
    ("projects", {"name": "P", "visibility": "secret"}, "visibility"),
    ("projects", {"name": {"$ne": None}}, "name"),
    ("projects", {"name": "P", "unknown": 1}, "unknown"),
    ("skills", {"name": "Go", "level": "godlike"}, "level"),
    ("skills", {"name": "Go", "project_ids": ["nope"]}, "project_ids"),
    ("profile-links", {"network": "x", "url": "javascript:alert(1)"}, "url"),
])
def test_section_validation(auth_client, portfolio_factory, section, item, field):
    portfolio = portfolio_factory()
    response = auth_client.post(f"{API}/{portfolio['id']}/{section}", json=item)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert Portfolio.objects.get(id=portfolio["id"]).version == 1


@pytest.mark.parametrize("section, item", [
    ("profile-links", {"network": "github", "url": "https://github.com/x"}),
    ("diplomas", {"title": "MSc", "level": "master", "start_date": "2022-09",
                  "end_date": "2024"}),
    ("certifications", {"name": "CKA", "issued_date": "2024-05-01"}),
    ("experiences", {"role": "Intern", "type": "internship", "achievements": ["Shipped"]}),
    ("trainings", {"title": "Workshop", "type": "workshop", "hours": 7.5}),
    ("projects", {"name": "Thing", "type": "personal", "technologies": ["Go"]}),
    ("skills", {"name": "Go", "category": "language", "level": "advanced"}),
])
def test_section_item_crud(auth_client, portfolio_factory, section, item):
    portfolio = portfolio_factory()
    base = f"{API}/{portfolio['id']}/{section}"
    created = auth_client.post(base, json=item)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["visibility"] == "public" and ObjectId.is_valid(body["id"])
    item_url = f"{base}/{body['id']}"
    assert auth_client.get(item_url).get_json() == body
    assert [i["id"] for i in auth_client.get(base).get_json()] == [body["id"]]

    updated = auth_client.patch(item_url, json={"visibility": "recruiter"})
    assert updated.status_code == 200
    assert updated.get_json() == {**body, "visibility": "recruiter"}

    assert auth_client.delete(item_url).status_code == 204
    assert auth_client.get(item_url).status_code == 404
    assert auth_client.get(base).get_json() == []
    assert Portfolio.objects.get(id=portfolio["id"]).version == 4


def test_reorder(auth_client, portfolio_factory):
    portfolio = portfolio_factory(full=True)
    base = f"{API}/{portfolio['id']}/projects"
    ids = [p["id"] for p in portfolio["projects"]]
    response = auth_client.put(f"{base}/order", json={"ids": ids[::-1]})
    assert response.status_code == 200
    assert [p["id"] for p in response.get_json()] == ids[::-1]
    assert [p["id"] for p in auth_client.get(base).get_json()] == ids[::-1]
    for bad in (ids[1:], ids + ids[:1], ids[:-1] + [str(ObjectId())]):
        assert auth_client.put(f"{base}/order", json={"ids": bad}).status_code == 422


def test_skill_references_must_point_at_items_of_this_portfolio(auth_client, portfolio_factory):
    mine = portfolio_factory(full=True)
    other = portfolio_factory(full=True, title="Other")
    base = f"{API}/{mine['id']}/skills"
    foreign = other["projects"][0]["id"]
    response = auth_client.post(base, json={"name": "Go", "project_ids": [foreign]})
    assert response.status_code == 422
    assert foreign in response.get_json()["message"]
    wrong_kind = mine["certifications"][0]["id"]  # a certification id given as a project
    assert auth_client.post(base, json={"name": "Go", "project_ids": [wrong_kind]}) \
        .status_code == 422
    good = auth_client.post(base, json={"name": "Go", "project_ids": [mine["projects"][0]["id"]],
                                        "certification_ids": [wrong_kind]})
    assert good.status_code == 201


def test_a_write_leaves_dereferencing_on_in_its_thread_even_when_refused(
        auth_client, portfolio_factory):
    """write() checks and encodes the document without MongoEngine's dereferencing: the test
    client runs the request in this thread, where references must load again afterwards."""
    from app.models import User
    portfolio = portfolio_factory(full=True)
    refused = auth_client.patch(f"{API}/{portfolio['id']}", json={
        "skills": [{"name": "Go", "project_ids": [str(ObjectId())]}]})
    assert refused.status_code == 422
    assert auth_client.patch(f"{API}/{portfolio['id']}", json={"title": "Kept"}).status_code \
        == 200
    assert isinstance(Portfolio.objects.get(id=portfolio["id"]).owner, User)


def test_deleting_an_item_removes_skill_references_to_it(auth_client, portfolio_factory):
    portfolio = portfolio_factory(full=True)
    project_id = portfolio["projects"][0]["id"]
    assert auth_client.delete(f"{API}/{portfolio['id']}/projects/{project_id}").status_code == 204
    skills = auth_client.get(f"{API}/{portfolio['id']}/skills").get_json()
    assert all(project_id not in skill["project_ids"] for skill in skills)
    assert skills[0]["project_ids"] == [p["id"] for p in portfolio["projects"][1:3]]
    # Replacing a whole section through autosave prunes references the same way.
    response = auth_client.patch(f"{API}/{portfolio['id']}", json={"certifications": []})
    assert all(skill["certification_ids"] == [] for skill in response.get_json()["skills"])


def test_whole_section_patch_keeps_ids_and_gives_new_items_one(auth_client, portfolio_factory):
    portfolio = portfolio_factory(full=True)
    kept = portfolio["diplomas"][0]
    response = auth_client.patch(f"{API}/{portfolio['id']}", json={
        "diplomas": [kept, {"title": "New diploma"}]})
    diplomas = response.get_json()["diplomas"]
    assert diplomas[0] == kept
    assert ObjectId.is_valid(diplomas[1]["id"]) and diplomas[1]["id"] != kept["id"]
    duplicate_ids = auth_client.patch(f"{API}/{portfolio['id']}", json={"diplomas": [kept, kept]})
    assert duplicate_ids.status_code == 422


@pytest.mark.parametrize("layout", [
    {"sections": [{"section": "hobbies"}]},
    {"sections": [{"section": "projects"}, {"section": "projects"}]},
    {"columns": 3},
    {"columns": "two"},
    {"sections": [{"section": "projects", "style": {"background_color": "red; x: url(y)"}}]},
    {"sections": [{"section": "projects", "hidden": "yes"}]},
    {"sections": "projects"},
    {"script": "<script>"},
])
def test_layout_is_validated(auth_client, portfolio_factory, layout):
    portfolio = portfolio_factory()
    response = auth_client.patch(f"{API}/{portfolio['id']}", json={"layout": layout})
    assert response.status_code == 422
    assert "layout" in response.get_json()["errors"]


def test_layout_and_theme_are_stored(auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    layout = {"columns": 2, "sidebar": "left", "sections": [
        {"section": "skills", "column": "side", "hidden": True, "page": 2,
         "style": {"heading_color": "#112233", "font_size": "large"}}]}
    theme = {"primary_color": "#123456", "body_font": "serif"}
    body = auth_client.patch(f"{API}/{portfolio['id']}",
                             json={"layout": layout, "theme": theme}).get_json()
    assert body["layout"]["sections"][0]["style"] == layout["sections"][0]["style"]
    assert body["layout"]["sections"][0]["hidden"] is True
    assert body["theme"] == theme


def test_item_count_and_size_limits(auth_client, portfolio_factory, app):
    portfolio = portfolio_factory()
    url = f"{API}/{portfolio['id']}"
    too_many = auth_client.patch(url, json={"trainings": [{"title": f"T{i}"} for i in range(101)]})
    assert too_many.status_code == 422
    app.config["MAX_PORTFOLIO_BYTES"] = 50_000
    huge = auth_client.patch(url, json={"projects": [
        {"name": f"P{i}", "description": "x" * 9000} for i in range(10)]})
    assert huge.status_code == 413
    assert "limit" in huge.get_json()["message"]
    assert Portfolio.objects.get(id=portfolio["id"]).projects == []


def test_portfolio_count_limit(auth_client, app):
    app.config["MAX_PORTFOLIOS_PER_USER"] = 2
    for number in range(2):
        assert auth_client.post(f"{API}/", json={"title": f"P{number}"}).status_code == 201
    refused = auth_client.post(f"{API}/", json={"title": "One too many"})
    assert refused.status_code == 403
    assert "at most 2" in refused.get_json()["message"]


def test_slug_change_keeps_the_old_one_reserved(auth_client, portfolio_factory, register, client):
    portfolio = portfolio_factory(slug="first-address")
    response = auth_client.patch(f"{API}/{portfolio['id']}", json={"slug": "second-address"})
    assert response.get_json()["slug"] == "second-address"
    stored = Portfolio.objects.get(id=portfolio["id"])
    assert [previous.slug for previous in stored.previous_slugs] == ["first-address"]
    squatter = {"Authorization": f"Bearer {register()['access_token']}"}
    taken = client.post(f"{API}/", json={"title": "x", "slug": "first-address"}, headers=squatter)
    assert taken.status_code == 409
    # Its owner may take it back.
    back = auth_client.patch(f"{API}/{portfolio['id']}", json={"slug": "first-address"})
    assert back.status_code == 200


def test_password_is_hashed_and_never_returned(auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    body = auth_client.patch(f"{API}/{portfolio['id']}",
                             json={"password": "open sesame", "is_private": False}).get_json()
    assert body["has_password"] is True and "password" not in body
    stored = Portfolio.objects.get(id=portfolio["id"])
    assert stored.password_hash.startswith("$argon2") and stored.password_changed_at
    removed = auth_client.patch(f"{API}/{portfolio['id']}", json={"password": None}).get_json()
    assert removed["has_password"] is False


def test_a_generated_slug_taken_meanwhile_is_generated_again(auth_client, portfolio_factory,
                                                             monkeypatch):
    """Two duplicates racing: both see "…-copy" free, one inserts it first. The other must not
    get a 409 for an address its client never chose."""
    from app.services import portfolios
    source = portfolio_factory(title="Race")
    duplicated = auth_client.post(f"{API}/{source['id']}/duplicate")
    assert duplicated.status_code == 201, duplicated.get_json()
    first = duplicated.get_json()
    assert first["slug"] == "race-copy"
    real_slug_taken = portfolios._slug_taken
    seen_free = []

    def taken_unless_first_look(slug, portfolio_id=None):
        if not seen_free:  # the check that raced: it saw the slug free
            seen_free.append(slug)
            return False
        return real_slug_taken(slug, portfolio_id)
    monkeypatch.setattr(portfolios, "_slug_taken", taken_unless_first_look)
    second = auth_client.post(f"{API}/{source['id']}/duplicate")
    assert second.status_code == 201, second.get_json()
    assert seen_free == ["race-copy"] and second.get_json()["slug"] == "race-copy-2"
    # A slug the client chose is still a 409 when taken.
    chosen = auth_client.post(f"{API}/", json={"title": "Mine", "slug": "race-copy"})
    assert chosen.status_code == 409


def test_many_creations_racing_for_one_generated_slug_all_land(auth_client, monkeypatch):
    """Every racer sees the same address free each round (the worst case of a burst of
    creations with one title); each still gets a 201 and an address of its own."""
    from app.services import portfolios
    monkeypatch.setattr(portfolios, "_slug_taken", lambda slug, portfolio_id=None: False)
    slugs = []
    for _ in range(10):
        response = auth_client.post(f"{API}/", json={"title": "Same title"})
        assert response.status_code == 201, response.get_json()
        slugs.append(response.get_json()["slug"])
    assert slugs[0] == "same-title" and len(set(slugs)) == 10
    assert all(slug.startswith("same-title") for slug in slugs)


def test_duplicate_is_a_private_deep_copy(auth_client, portfolio_factory):
    portfolio = portfolio_factory(full=True)
    response = auth_client.post(f"{API}/{portfolio['id']}/duplicate")
    assert response.status_code == 201
    copy = response.get_json()
    assert copy["id"] != portfolio["id"] and copy["slug"] != portfolio["slug"]
    assert copy["is_private"] is True
    old_ids = {item["id"] for field in ("projects", "skills", "diplomas")
               for item in portfolio[field]}
    new_ids = {item["id"] for field in ("projects", "skills", "diplomas") for item in copy[field]}
    assert not old_ids & new_ids
    copy_projects = [p["id"] for p in copy["projects"]]
    assert copy["skills"][0]["project_ids"] == copy_projects[:3]
    assert [p["name"] for p in copy["projects"]] == [p["name"] for p in portfolio["projects"]]
    # Editing the copy leaves the original alone.
    auth_client.delete(f"{API}/{copy['id']}/projects/{copy_projects[0]}")
    assert len(auth_client.get(f"{API}/{portfolio['id']}").get_json()["projects"]) == 6


def test_delete_removes_the_portfolio_and_its_history(auth_client, portfolio_factory):
    portfolio = portfolio_factory(full=True)
    assert PortfolioVersion.objects(portfolio=portfolio["id"]).count() >= 1
    assert auth_client.delete(f"{API}/{portfolio['id']}").status_code == 204
    assert auth_client.get(f"{API}/{portfolio['id']}").status_code == 404
    assert PortfolioVersion.objects(portfolio=portfolio["id"]).count() == 0


def test_deleting_the_account_deletes_its_portfolios(auth_client, portfolio_factory):
    portfolio = portfolio_factory(full=True)
    response = auth_client.delete("/api/v1/auth/me", json={"password": PASSWORD})
    assert response.status_code == 204
    assert Portfolio.objects(id=portfolio["id"]).count() == 0
    assert PortfolioVersion.objects(portfolio=portfolio["id"]).count() == 0


def test_account_export_contains_every_portfolio_and_its_history(auth_client, portfolio_factory):
    import io
    import json
    import zipfile
    portfolio = portfolio_factory(full=True)
    response = auth_client.get("/api/v1/auth/me/export")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    exported = json.loads(archive.read(f"portfolios/{portfolio['slug']}/portfolio.json"))
    assert exported["projects"] == portfolio["projects"]
    history = json.loads(archive.read(f"portfolios/{portfolio['slug']}/versions.json"))
    assert history[0]["version"] == 1 and history[0]["content"]["title"] == "My portfolio"


OPERATOR_LIKE = "$version"


def test_operator_like_strings_are_stored_literally(auth_client, portfolio_factory):
    portfolio = portfolio_factory(full=True)
    url = f"{API}/{portfolio['id']}"
    project = portfolio["projects"][0]
    changes = {
        "title": OPERATOR_LIKE, "description": "$$REMOVE",
        "profile": {"headline": "$$ROOT", "bio": "{$concat: ['a']}", "location": "$trash"},
        "layout": {"sections": [{"section": "projects", "heading": "$$NOW"}]},
        "projects": [{**{k: v for k, v in project.items() if k != "id"}, "id": project["id"],
                      "name": "$proofs", "technologies": ["$add", "$$proof"],
                      "features": ["$literal"]}],
    }
    saved = auth_client.patch(url, json=changes)
    assert saved.status_code == 200, saved.get_json()
    again = auth_client.get(url).get_json()
    assert again["title"] == OPERATOR_LIKE and again["description"] == "$$REMOVE"
    assert again["profile"]["headline"] == "$$ROOT" and again["profile"]["location"] == "$trash"
    assert again["layout"]["sections"][0]["heading"] == "$$NOW"
    assert again["projects"][0]["name"] == "$proofs"
    assert again["projects"][0]["technologies"] == ["$add", "$$proof"]
    assert again["version"] == portfolio["version"] + 1


def test_merge_patch_refuses_what_it_cannot_store(auth_client, portfolio_factory):
    portfolio = portfolio_factory(full=True)
    url = f"{API}/{portfolio['id']}"
    for body in ({"profile": None}, {"theme": None}, {"layout": None},
                 {"profile": {"nope": 1}}, {"theme": {"a.b": "#fff"}},
                 {"theme": {"$x": "#fff"}}, {"title": None}):
        assert auth_client.patch(url, json=body).status_code == 422, body
    cleared = auth_client.patch(url, json={"profile": {"contact_visibility": None,
                                                       "bio": None}}).get_json()
    assert cleared["profile"]["contact_visibility"] == "recruiter"
    assert "bio" not in cleared["profile"] or cleared["profile"]["bio"] is None
    assert cleared["profile"]["headline"] == portfolio["profile"]["headline"]


@pytest.mark.parametrize("path, body, field", [
    ("", {"title": "   "}, "title"),
    ("/experiences", {"role": " \n "}, "role"),
    ("/languages", {"name": "French\x00"}, "name"),
    ("/projects", {"name": "Linter", "description": "Bell \x07 and escape \x1b[31m"},
     "description"),
    ("/projects", {"name": "Linter", "features": ["ok", "nul \x00"]}, "features"),
])
def test_blank_names_and_control_characters_are_422_and_nothing_changes(
        auth_client, portfolio_factory, path, body, field):
    portfolio = portfolio_factory()
    method = auth_client.patch if path == "" else auth_client.post
    response = method(f"{API}/{portfolio['id']}{path}", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert auth_client.get(f"{API}/{portfolio['id']}").get_json()["version"] == portfolio["version"]


def test_tabs_and_line_breaks_are_kept(auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    text = "Line one\r\nLine two\n\tindented"
    response = auth_client.post(f"{API}/{portfolio['id']}/projects",
                                json={"name": "Linter", "description": text})
    assert response.status_code == 201 and response.get_json()["description"] == text


def _stored_fields(portfolio_id):
    """The stored document, each field as its BSON bytes (compared byte for byte)."""
    import bson
    raw = Portfolio._get_collection().find_one({"_id": ObjectId(portfolio_id)})
    return {field: bson.encode({"v": value}) for field, value in raw.items()}


def test_a_section_autosave_leaves_every_other_field_byte_identical(auth_client,
                                                                    portfolio_factory):
    """write() validates and encodes only the fields a change touches; the others are stored
    as they were, byte for byte."""
    portfolio = portfolio_factory(full=True)
    before = _stored_fields(portfolio["id"])
    skills = [{**skill, "name": f"{skill['name']} 2"} for skill in portfolio["skills"]]
    response = auth_client.patch(f"{API}/{portfolio['id']}", json={"skills": skills})
    assert response.status_code == 200
    after = _stored_fields(portfolio["id"])
    changed = {field for field in before.keys() | after.keys()
               if before.get(field) != after.get(field)}
    assert changed == {"skills", "version", "updated_at"}


def test_a_touched_field_the_model_refuses_is_refused_and_nothing_is_written(app, auth_client,
                                                                            portfolio_factory):
    """The model's own checks (second line behind the schemas) still run on what a change
    touches."""
    from mongoengine.errors import ValidationError

    from app.models import User
    from app.models.portfolio import Skill
    from app.services import portfolios

    portfolio = portfolio_factory(full=True)
    user = User.objects.get(id=Portfolio.objects.get(id=portfolio["id"]).owner.id)

    def too_long(document):
        document.skills = [Skill(name="x" * 101)]
        return {"skills"}

    def unknown_template(document):
        document.template = "baroque"
        return {"template"}

    def no_title(document):
        document.title = None
        return {"title"}

    with app.test_request_context():
        for change, field in ((too_long, "skills"), (unknown_template, "template"),
                              (no_title, "title")):
            with pytest.raises(ValidationError) as refused:
                portfolios.write(portfolio["id"], user, change)
            assert field in refused.value.errors
    assert Portfolio.objects.get(id=portfolio["id"]).version == portfolio["version"]


def _every_field_filled():
    """Content with every section and every field of its items, the theme's and the layout's."""
    content = demo_portfolio_content()
    content["theme"].update(background_color="#ffffff", text_color="#111111",
                            accent_color="#222222")
    content["layout"].update(density="compact")
    content["layout"]["sections"][0].update(page=2, hidden=True, style={
        "background_color": "#000000", "text_color": "#ffffff", "heading_color": "#333333",
        "font_size": "large", "display": "timeline"})
    content["profile"].update(availability="job", contact_visibility="public", phone="+33 1 23")
    content["trainings"][0]["hours"] = 12
    content["experiences"][0]["current"] = True
    return content


def test_an_autosave_answers_the_portfolio_exactly_as_a_get_does(auth_client, portfolio_factory):
    """PATCH dumps the document as stored (app/schemas/stored.py), GET the MongoEngine
    document through marshmallow: the same bytes, every section and field filled, with proofs
    (one with a thumbnail) and a password."""
    from .test_proofs import image_bytes, pdf_bytes, upload

    portfolio = portfolio_factory()
    url = f"{API}/{portfolio['id']}"
    filled = auth_client.patch(url, json=_every_field_filled())
    assert filled.status_code == 200, filled.get_json()
    project = filled.get_json()["projects"][0]["id"]
    photo = upload(auth_client, portfolio["id"], image_bytes("PNG"), "me.png").get_json()
    upload(auth_client, portfolio["id"], pdf_bytes(), "thesis.pdf", item_type="projects",
           item_id=project)
    response = auth_client.patch(url, json={
        "password": "open sesame", "profile": {"photo_proof_id": photo["id"]},
        "theme": {"background_image_proof_id": photo["id"]},
        "skills": [{**skill, "name": skill["name"] + "!"}
                   for skill in filled.get_json()["skills"]]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["has_password"] and {proof["has_thumbnail"] for proof in body["proofs"]} == \
        {True, False}
    again = auth_client.get(url)
    assert response.data == again.data and response.headers["ETag"] == again.headers["ETag"]
    # Removing the project sends its proof to the trash: the answer's proofs say so too.
    projects = body["projects"][1:]
    removed = auth_client.patch(url, json={"projects": projects})
    assert len(removed.get_json()["proofs"]) == 1
    assert removed.data == auth_client.get(url).data


def test_a_stored_portfolio_dumps_as_its_document_whatever_it_lacks():
    """Defaults stand in for what is not stored (or stored null), as MongoEngine's do."""
    import json

    from app.schemas.portfolio import PortfolioSchema, StoredPortfolio

    stored = {"_id": ObjectId(), "owner": ObjectId(), "title": "T", "slug": "a-slug",
              "version": 3, "description": None, "profile": None,
              "skills": [{"id": ObjectId(), "name": "Go", "keywords": None}],
              "experiences": [{"id": ObjectId(), "role": "Dev", "achievements": ["a"]}],
              "layout": {"sections": [{"section": "skills"}]},
              "proofs": [{"id": ObjectId(), "item_type": "profile", "file_id": ObjectId()}]}
    schema = PortfolioSchema()
    from_document = schema.dump(Portfolio._from_son(dict(stored)))
    from_stored = schema.dump(StoredPortfolio(stored))
    # Defaults that are the time of loading (created_at of what was stored without one) aside.
    for dumped in (from_document, from_stored):
        for value in (dumped, *dumped["proofs"]):
            value.pop("created_at")
        dumped.pop("updated_at")
    assert json.dumps(from_stored, sort_keys=True) == json.dumps(from_document, sort_keys=True)


def test_an_autosave_of_the_skills_checks_their_references_against_every_section(
        auth_client, portfolio_factory):
    """The sections a PATCH does not send are not loaded, yet the skills' references are checked
    against them: items of the right section pass, any other id is a 422."""
    portfolio = portfolio_factory(full=True)
    url = f"{API}/{portfolio['id']}"
    skill = {"name": "Go", "project_ids": [portfolio["projects"][1]["id"]],
             "certification_ids": [portfolio["certifications"][0]["id"]],
             "training_ids": [portfolio["trainings"][0]["id"]]}
    saved = auth_client.patch(url, json={"skills": [skill]})
    assert saved.status_code == 200, saved.get_json()
    assert {key: saved.get_json()["skills"][0][key] for key in skill} == skill
    for field, wrong in (("project_ids", portfolio["diplomas"][0]["id"]),
                         ("training_ids", portfolio["certifications"][0]["id"]),
                         ("certification_ids", str(ObjectId()))):
        refused = auth_client.patch(url, json={"skills": [{**skill, field: [wrong]}]})
        assert refused.status_code == 422
        assert refused.get_json()["errors"] == {"skills": {"0": {field: ["Unknown id."]}}}
    # Projects replaced in the same PATCH: the references are checked against the new ones.
    both = auth_client.patch(url, json={"projects": [{"name": "Only one"}], "skills": [skill]})
    assert both.status_code == 422
    # Projects replaced alone: references to the removed ones are dropped from the skills.
    pruned = auth_client.patch(url, json={"projects": saved.get_json()["projects"][2:]})
    assert pruned.get_json()["skills"][0]["project_ids"] == []
    assert pruned.get_json()["skills"][0]["training_ids"] == skill["training_ids"]
