"""The short in-process memory of a session's revocation state (auth_sessions.is_session_active):
a session revoked elsewhere stops working within SESSION_CHECK_SECONDS, here at once."""
from app.models import AuthSession
from app.models.user import utcnow
from app.services import auth_sessions

LIST = "/api/v1/portfolios/"


def test_a_session_revoked_by_another_process_stops_within_the_bound(auth_client, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(auth_sessions.time, "monotonic", lambda: clock[0])
    assert auth_client.get(LIST).status_code == 200
    # Another server revokes it: nothing tells this process.
    AuthSession.objects(revoked_at=None).update(set__revoked_at=utcnow())
    clock[0] += auth_sessions.SESSION_CHECK_SECONDS - 1
    assert auth_client.get(LIST).status_code == 200  # still within the bound
    clock[0] += 1
    assert auth_client.get(LIST).status_code == 401


def test_a_logout_in_this_process_takes_effect_at_once(auth_client):
    assert auth_client.get(LIST).status_code == 200
    assert auth_client.post("/api/v1/auth/logout", json={}).status_code == 204
    assert auth_client.get(LIST).status_code == 401


def test_a_password_change_ends_the_other_sessions_at_once(client, auth_client):
    from tests.conftest import PASSWORD
    other = client.post("/api/v1/auth/login", json={"email": auth_client.user["email"],
                                                     "password": PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {other['access_token']}"}
    assert client.get(LIST, headers=headers).status_code == 200
    response = auth_client.post("/api/v1/auth/password", json={
        "current_password": PASSWORD, "new_password": "another horse battery staple"})
    assert response.status_code == 204
    assert client.get(LIST, headers=headers).status_code == 401


def test_the_account_is_read_afresh_for_every_request(auth_client):
    """The user lookup keeps nothing between requests: an account changed or gone elsewhere is
    seen by the next request, while its session is still known active."""
    from app.models import User
    me = "/api/v1/auth/me"
    assert auth_client.get(me).get_json()["full_name"] == "Ada Lovelace"
    User.objects(email=auth_client.user["email"]).update_one(set__full_name="Ada King")
    assert auth_client.get(me).get_json()["full_name"] == "Ada King"
    User.objects(email=auth_client.user["email"]).delete()
    gone = auth_client.get(LIST)
    assert gone.status_code == 401
    assert gone.get_json()["message"] == "The account for this token no longer exists."
