"""`flask seed-demo`: what `make run` shows a new developer must work like a real account."""
from app.cli import DEMO_EMAIL, DEMO_PASSWORD, DEMO_SLUG

from .conftest import bearer


def test_seeding_twice_gives_one_verified_demo_that_can_share_a_recruiter_link(app, client):
    runner = app.test_cli_runner()
    first, second = runner.invoke(args=["seed-demo"]), runner.invoke(args=["seed-demo"])
    assert first.exit_code == second.exit_code == 0
    assert f"demo account: {DEMO_EMAIL} / {DEMO_PASSWORD}" in second.output

    login = client.post("/api/v1/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    token = login.get_json()["access_token"]
    me = client.get("/api/v1/auth/me", headers=bearer(token)).get_json()
    assert me["email_verified"] is True
    portfolios = client.get("/api/v1/portfolios", headers=bearer(token)).get_json()["data"]
    assert [portfolio["slug"] for portfolio in portfolios] == [DEMO_SLUG]
    link = client.post(f"/api/v1/portfolios/{portfolios[0]['id']}/recruiter-links",
                       json={"label": "Acme", "expires_in_days": 7}, headers=bearer(token))
    assert link.status_code == 201, link.get_json()
