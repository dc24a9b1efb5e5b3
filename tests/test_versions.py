"""Version history: throttled snapshots, pruning, reading and restoring."""
from datetime import timedelta

import pytest
from bson import ObjectId

from app.demo_content import demo_portfolio_content
from app.models.portfolio import Portfolio, PortfolioVersion

API = "/api/v1/portfolios"


def versions_of(client, portfolio_id):
    return client.get(f"{API}/{portfolio_id}/versions").get_json()


def backdate_last_snapshot(portfolio_id, seconds=3600):
    stored = Portfolio.objects.get(id=portfolio_id)
    stored.update(set__last_snapshot_at=stored.last_snapshot_at - timedelta(seconds=seconds))


def test_creation_is_the_first_version(auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    history = versions_of(auth_client, portfolio["id"])
    assert [(v["version"], v["reason"]) for v in history["data"]] == [(1, "created")]
    assert history["data"][0]["saved_at"].endswith("Z") and history["data"][0]["size"] > 0


def test_continuous_autosave_is_throttled(auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    url = f"{API}/{portfolio['id']}"
    for number in range(10):
        auth_client.patch(url, json={"title": f"Typing {number}"})
    assert Portfolio.objects.get(id=portfolio["id"]).version == 11
    assert versions_of(auth_client, portfolio["id"])["pagination"]["total"] == 1
    backdate_last_snapshot(portfolio["id"])
    auth_client.patch(url, json={"title": "After a pause"})
    history = versions_of(auth_client, portfolio["id"])["data"]
    assert [(v["version"], v["reason"]) for v in history] == [(12, "autosave"), (1, "created")]


def test_history_is_pruned_to_the_configured_count(auth_client, portfolio_factory, app):
    app.config["MAX_VERSIONS_PER_PORTFOLIO"] = 3
    app.config["VERSION_SNAPSHOT_INTERVAL_SECONDS"] = 0
    portfolio = portfolio_factory()
    for number in range(6):
        auth_client.patch(f"{API}/{portfolio['id']}", json={"title": f"T{number}"})
    history = versions_of(auth_client, portfolio["id"])
    assert [v["version"] for v in history["data"]] == [7, 6, 5]
    assert PortfolioVersion.objects(portfolio=portfolio["id"]).count() == 3


def test_read_and_restore_a_version(auth_client, portfolio_factory):
    created = portfolio_factory()
    url = f"{API}/{created['id']}"
    backdate_last_snapshot(created["id"])
    portfolio = auth_client.patch(url, json=demo_portfolio_content()).get_json()  # snapshotted
    assert portfolio["version"] == 2
    auth_client.patch(url, json={"title": "Rewritten", "projects": [], "slug": "new-address",
                                 "is_private": True})
    old = auth_client.get(f"{url}/versions/2").get_json()
    assert len(old["content"]["projects"]) == 6

    restored = auth_client.post(f"{url}/versions/2/restore", headers={"If-Match": '"3"'})
    assert restored.status_code == 200
    body = restored.get_json()
    assert body["version"] == 4
    assert body["title"] == portfolio["title"]
    assert [p["id"] for p in body["projects"]] == [p["id"] for p in portfolio["projects"]]
    # Address and privacy are not content: a restore never re-publishes or moves the page.
    assert body["slug"] == "new-address" and body["is_private"] is True

    history = [(v["version"], v["reason"]) for v in versions_of(auth_client, portfolio["id"])["data"]]
    assert (4, "restore") in history
    assert (3, "before restore") in history  # what the restore replaced can itself come back


def test_restore_with_a_stale_version_is_409(auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    url = f"{API}/{portfolio['id']}"
    auth_client.patch(url, json={"title": "Changed"})
    response = auth_client.post(f"{url}/versions/1/restore", headers={"If-Match": '"1"'})
    assert response.status_code == 409
    assert Portfolio.objects.get(id=portfolio["id"]).title == "Changed"


def test_unknown_version_is_404(auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    assert auth_client.get(f"{API}/{portfolio['id']}/versions/99").status_code == 404
    assert auth_client.post(f"{API}/{portfolio['id']}/versions/99/restore").status_code == 404


def test_a_version_number_beyond_64_bits_is_404_not_500(auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    number = 2 ** 64
    assert auth_client.get(f"{API}/{portfolio['id']}/versions/{number}").status_code == 404
    assert auth_client.post(f"{API}/{portfolio['id']}/versions/{number}/restore").status_code == 404
    spec = auth_client.get("/api/v1/openapi.json").get_json()
    parameters = spec["paths"]["/api/v1/portfolios/{portfolio_id}/versions/{number}"]["parameters"]
    assert next(p for p in parameters if p["name"] == "number")["schema"]["maximum"] == 2 ** 63 - 1


def _first_project_removed(client, portfolio):
    url = f"{API}/{portfolio['id']}"
    return client.delete(f"{url}/projects/{portfolio['projects'][0]['id']}")


def _projects_replaced_with_fewer(client, portfolio):
    return client.patch(f"{API}/{portfolio['id']}", json={"projects": portfolio["projects"][1:]})


def _layout_with_fewer_sections(client, portfolio):
    url = f"{API}/{portfolio['id']}"
    client.patch(url, json={"layout": {"sections": [{"section": "projects"},
                                                    {"section": "skills"}]}})
    backdate_last_snapshot(portfolio["id"], seconds=0)  # that change itself is not held yet
    return client.patch(url, json={"layout": {"sections": [{"section": "skills"}]}})


def _bio_cleared(client, portfolio):
    return client.patch(f"{API}/{portfolio['id']}", json={"profile": {"bio": None}})


@pytest.mark.parametrize("remove, reason", [
    (_first_project_removed, "before removing items from projects"),
    (_projects_replaced_with_fewer, "before removing items from projects"),
    (_layout_with_fewer_sections, "before removing layout sections"),
    (_bio_cleared, "before clearing profile fields"),
])
def test_a_change_removing_content_first_saves_what_it_removes(auth_client, portfolio_factory,
                                                               remove, reason):
    portfolio = portfolio_factory(full=True)  # version 2, not snapshotted (throttle)
    assert [v["version"] for v in versions_of(auth_client, portfolio["id"])["data"]] == [1]
    before = auth_client.get(f"{API}/{portfolio['id']}").get_json()
    response = remove(auth_client, portfolio)
    assert response.status_code in (200, 204), response.get_json()
    latest = versions_of(auth_client, portfolio["id"])["data"][0]
    assert latest["reason"] == reason and latest["version"] == before["version"] + \
        (1 if remove is _layout_with_fewer_sections else 0)
    held = auth_client.get(f"{API}/{portfolio['id']}/versions/{latest['version']}").get_json()
    if remove is _layout_with_fewer_sections:
        assert [entry["section"] for entry in held["content"]["layout"]["sections"]] == \
            ["projects", "skills"]
    else:
        assert held["content"]["projects"] == before["projects"]
        assert held["content"]["profile"]["bio"] == before["profile"]["bio"]


def test_edits_that_remove_nothing_stay_throttled(auth_client, portfolio_factory):
    portfolio = portfolio_factory(full=True)
    url = f"{API}/{portfolio['id']}"
    auth_client.patch(url, json={"profile": {"bio": "Rewritten"}, "title": "Other"})
    auth_client.post(f"{url}/skills", json={"name": "Rust"})
    auth_client.put(f"{url}/projects/order",
                    json={"ids": [p["id"] for p in reversed(portfolio["projects"])]})
    assert [v["version"] for v in versions_of(auth_client, portfolio["id"])["data"]] == [1]


def test_a_removal_racing_the_portfolios_deletion_keeps_no_snapshot(
        app, auth_client, portfolio_factory, monkeypatch):
    """An item delete takes its "before" snapshot before its conditional update. If the
    portfolio (or the account) is deleted in between, no snapshot may outlive it."""
    from app.models.portfolio import PortfolioVersion
    from app.services import portfolios, versions
    portfolio = portfolio_factory(full=True)
    project = portfolio["projects"][0]["id"]
    real_removal = versions.removal

    def deleted_meanwhile(before, loaded, reason):
        found = real_removal(before, loaded, reason)
        stored = Portfolio.objects(id=portfolio["id"]).first()
        if stored is not None:
            portfolios.delete(stored)  # the other tab: DELETE /portfolios/<id>
        return found
    monkeypatch.setattr(versions, "removal", deleted_meanwhile)
    response = auth_client.delete(f"{API}/{portfolio['id']}/projects/{project}")
    assert response.status_code == 404
    assert PortfolioVersion.objects(portfolio=ObjectId(portfolio["id"])).count() == 0


def test_an_autosave_snapshot_holds_the_whole_content(auth_client, portfolio_factory):
    """An autosave loads only what it changes (services.portfolios.save_changes): its snapshot
    still holds every section, the changed one as written."""
    portfolio = portfolio_factory(full=True)
    backdate_last_snapshot(portfolio["id"])
    skills = [{**skill, "name": skill["name"] + " (again)"} for skill in portfolio["skills"]]
    response = auth_client.patch(f"{API}/{portfolio['id']}", json={"skills": skills})
    assert response.status_code == 200
    saved = auth_client.get(f"{API}/{portfolio['id']}/versions/{response.get_json()['version']}")
    content = saved.get_json()["content"]
    for field, value in content.items():
        assert value == response.get_json()[field], field
    assert all(content[field] for field in ("projects", "certifications", "trainings", "links"))
