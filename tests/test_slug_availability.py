"""GET /api/v1/portfolios/slug-availability: the editor's check of an address as it is typed."""
import pytest

API = "/api/v1/portfolios"


def availability(client, slug, **query):
    response = client.get(f"{API}/slug-availability", query_string={"slug": slug, **query})
    return response.status_code, response.get_json()


def test_a_free_address_is_available(auth_client):
    assert availability(auth_client, "ada-lovelace") == (200, {
        "slug": "ada-lovelace", "available": True, "message": "This address is available."})


def test_reserved_and_taken_addresses_say_why(auth_client, portfolio_factory):
    portfolio_factory(slug="taken-already")
    assert availability(auth_client, "admin")[1] == {
        "slug": "admin", "available": False, "message": "This address is reserved."}
    assert availability(auth_client, "taken-already")[1] == {
        "slug": "taken-already", "available": False, "message": "Already taken."}


def test_a_portfolio_may_keep_or_take_back_its_own_address(auth_client, portfolio_factory):
    portfolio = portfolio_factory(slug="first-address")
    assert availability(auth_client, "first-address", portfolio_id=portfolio["id"])[1][
        "available"] is True
    auth_client.patch(f"{API}/{portfolio['id']}", json={"slug": "second-address"})
    # Given up less than 30 days ago: it redirects, so only its portfolio may take it back.
    assert availability(auth_client, "first-address")[1]["available"] is False
    assert availability(auth_client, "first-address", portfolio_id=portfolio["id"])[1][
        "available"] is True


def test_the_answer_matches_what_a_write_does(auth_client, portfolio_factory):
    """One rule: where the check says unavailable, the PATCH is refused with the same words."""
    portfolio_factory(slug="someone-has-it")
    mine = portfolio_factory(title="Mine")
    for slug in ("someone-has-it", "docs"):
        message = availability(auth_client, slug, portfolio_id=mine["id"])[1]["message"]
        refused = auth_client.patch(f"{API}/{mine['id']}", json={"slug": slug})
        assert refused.status_code in (409, 422)
        assert refused.get_json()["errors"] == {"slug": [message]}


@pytest.mark.parametrize("slug", ["A", "Upper-Case", "-dash-first", "ends-", "x" * 61])
def test_a_malformed_address_is_422_with_the_format(auth_client, slug):
    status, body = availability(auth_client, slug)
    assert status == 422
    assert body["errors"]["slug"] == [
        "3 to 60 lowercase letters, digits and hyphens."]


def test_owner_only(client, auth_client, register, portfolio_factory):
    assert availability(client, "anything")[0] == 401
    theirs = portfolio_factory()
    intruder = {"Authorization": f"Bearer {register()['access_token']}"}
    response = client.get(f"{API}/slug-availability", headers=intruder,
                          query_string={"slug": "anything", "portfolio_id": theirs["id"]})
    assert response.status_code == 404


def test_documented_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/portfolios/slug-availability"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} == {
        "slug", "portfolio_id"}
    assert "200" in operation["responses"]
