"""Two-factor sign-in with an authenticator app (TOTP), the clock injected: set-up, sign-in with
a code or a recovery code, each accepted once, turning it off, secrets at rest, rate limits."""
import base64
import json
from datetime import datetime, timedelta, timezone

import pyotp
import pytest

from app.models import User
from app.services import auth_sessions, clock, oauth
from app.services.passwords import secret_digest

from .conftest import PASSWORD, bearer

AUTH = "/api/v1/auth"
LOGIN = f"{AUTH}/login"
# A moment in the middle of a 30-second step, so that ±30 s lands in the neighbouring steps.
NOW = datetime(2026, 3, 2, 9, 0, 15)


def code_at(secret, moment, steps=0):
    step = int(moment.replace(tzinfo=timezone.utc).timestamp()) // 30 + steps
    return pyotp.TOTP(secret).generate_otp(step)


@pytest.fixture
def at(monkeypatch):
    """Set the clock: `at(NOW + timedelta(seconds=30))`."""
    def set_clock(moment):
        monkeypatch.setattr(clock, "now", lambda: moment)
    set_clock(NOW)
    return set_clock


def set_up(auth_client):
    response = auth_client.post(f"{AUTH}/2fa/setup")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def enabled(auth_client, at):
    """`auth_client`'s account with two-factor sign-in on: `(secret, recovery codes)`."""
    secret = set_up(auth_client)["secret"]
    response = auth_client.post(f"{AUTH}/2fa/enable", json={"code": code_at(secret, NOW)})
    assert response.status_code == 200, response.get_json()
    return secret, response.get_json()["recovery_codes"]


def login(client, email, otp=None, password=PASSWORD):
    body = {"email": email, "password": password} | ({"otp": otp} if otp is not None else {})
    return client.post(LOGIN, json=body)


def test_setup_shows_the_secret_its_uri_and_a_qr_code(auth_client):
    setup = set_up(auth_client)
    assert len(setup["secret"]) == 32
    uri = pyotp.parse_uri(setup["otpauth_uri"])
    assert uri.secret == setup["secret"] and uri.issuer == "Vitrine"
    assert uri.name == auth_client.user["email"]
    assert setup["qr_code"].startswith("data:image/svg+xml")
    # Nothing changes at sign-in until a first code is checked.
    assert login(auth_client, auth_client.user["email"]).status_code == 200
    assert auth_client.get(f"{AUTH}/me").get_json()["two_factor_enabled"] is False


def test_enable_needs_a_current_code_and_answers_ten_recovery_codes(auth_client, at):
    secret = set_up(auth_client)["secret"]
    wrong = auth_client.post(f"{AUTH}/2fa/enable", json={"code": code_at(secret, NOW, steps=5)})
    assert wrong.status_code == 422 and "code" in wrong.get_json()["errors"]
    response = auth_client.post(f"{AUTH}/2fa/enable", json={"code": code_at(secret, NOW)})
    assert response.status_code == 200
    codes = response.get_json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    me = auth_client.get(f"{AUTH}/me").get_json()
    assert me["two_factor_enabled"] is True and me["recovery_codes_left"] == 10
    assert auth_client.post(f"{AUTH}/2fa/setup").status_code == 409


def test_the_secret_is_encrypted_and_recovery_codes_hashed_at_rest(
        auth_client, enabled, test_database):
    secret, codes = enabled
    stored = test_database.users.find_one({"email": auth_client.user["email"]})["two_factor"]
    dump = json.dumps(stored, default=str)
    assert secret not in dump and base64.b32decode(secret).hex() not in dump
    assert all(code not in dump for code in codes)
    assert sorted(stored["recovery_code_hashes"]) == sorted(secret_digest(c) for c in codes)


def test_login_without_a_code_is_a_401_naming_otp(client, auth_client, enabled):
    response = login(client, auth_client.user["email"])
    assert response.status_code == 401
    body = response.get_json()
    assert body["code"] == 401 and "otp" in body["errors"]
    assert "access_token" not in body
    # A wrong password says nothing about a second factor.
    wrong = login(client, auth_client.user["email"], password="not the password 1")
    assert wrong.status_code == 401 and "errors" not in wrong.get_json()


def test_login_with_a_current_code(client, auth_client, enabled, at):
    secret, _ = enabled
    at(NOW + timedelta(minutes=5))
    response = login(client, auth_client.user["email"], code_at(secret, NOW + timedelta(minutes=5)))
    assert response.status_code == 200
    access = response.get_json()["access_token"]
    assert client.get(f"{AUTH}/me", headers=bearer(access)).status_code == 200


def test_a_code_is_accepted_once(client, auth_client, enabled, at):
    secret, _ = enabled
    later = NOW + timedelta(minutes=1)
    at(later)
    code = code_at(secret, later)
    assert login(client, auth_client.user["email"], code).status_code == 200
    replayed = login(client, auth_client.user["email"], code)
    assert replayed.status_code == 401 and "otp" in replayed.get_json()["errors"]
    # Nor an older code still inside the drift window.
    older = code_at(secret, later, steps=-1)
    assert login(client, auth_client.user["email"], older).status_code == 401
    # The code enabling two-factor sign-in was used too.
    at(NOW)
    assert login(client, auth_client.user["email"], code_at(secret, NOW)).status_code == 401


def test_a_phone_clock_one_step_off_is_accepted_not_two(client, auth_client, enabled, at):
    secret, _ = enabled
    later = NOW + timedelta(minutes=10)
    at(later)
    email = auth_client.user["email"]
    assert login(client, email, code_at(secret, later, steps=-2)).status_code == 401
    assert login(client, email, code_at(secret, later, steps=2)).status_code == 401
    assert login(client, email, code_at(secret, later, steps=-1)).status_code == 200
    assert login(client, email, code_at(secret, later, steps=1)).status_code == 200


def test_an_expired_code_is_refused(client, auth_client, enabled, at):
    secret, _ = enabled
    at(NOW + timedelta(minutes=30))
    assert login(client, auth_client.user["email"],
                 code_at(secret, NOW + timedelta(minutes=20))).status_code == 401


def test_a_recovery_code_signs_in_once(client, auth_client, enabled):
    _, codes = enabled
    email = auth_client.user["email"]
    assert login(client, email, codes[0].upper().replace("-", " ")).status_code == 200
    assert login(client, email, codes[0]).status_code == 401
    assert login(client, email, codes[1]).status_code == 200
    assert auth_client.get(f"{AUTH}/me").get_json()["recovery_codes_left"] == 8
    assert login(client, email, "abcd-efgh-jkmn-pqrs").status_code == 401


def test_cookie_sign_in_with_a_code(client, auth_client, enabled, at):
    secret, _ = enabled
    at(NOW + timedelta(minutes=2))
    response = client.post(LOGIN, json={
        "email": auth_client.user["email"], "password": PASSWORD, "session": "cookie",
        "otp": code_at(secret, NOW + timedelta(minutes=2))})
    assert response.status_code == 200
    assert "access_token_cookie" in response.headers.get("Set-Cookie", "")


def test_disable_needs_the_password_and_a_code(client, auth_client, enabled, at):
    secret, codes = enabled
    at(NOW + timedelta(minutes=3))
    code = code_at(secret, NOW + timedelta(minutes=3))
    disable = f"{AUTH}/2fa/disable"
    assert auth_client.post(disable, json={"password": "not the password 1",
                                           "code": code}).status_code == 403
    assert auth_client.post(disable, json={"password": PASSWORD,
                                           "code": "000000"}).status_code == 422
    assert auth_client.post(disable, json={"password": PASSWORD}).status_code == 422
    assert auth_client.post(disable, json={"password": PASSWORD, "code": code}).status_code == 204
    assert login(client, auth_client.user["email"]).status_code == 200
    stored = User.objects.get(email=auth_client.user["email"])
    assert stored.two_factor is None
    assert auth_client.post(disable, json={"password": PASSWORD, "code": code}).status_code == 409


def test_disable_with_a_recovery_code(auth_client, enabled):
    _, codes = enabled
    response = auth_client.post(f"{AUTH}/2fa/disable", json={"password": PASSWORD,
                                                              "code": codes[3]})
    assert response.status_code == 204
    assert auth_client.get(f"{AUTH}/me").get_json()["two_factor_enabled"] is False


def test_a_setup_started_again_replaces_the_secret(auth_client, at):
    first = set_up(auth_client)["secret"]
    second = set_up(auth_client)["secret"]
    assert first != second
    assert auth_client.post(f"{AUTH}/2fa/enable",
                            json={"code": code_at(first, NOW)}).status_code == 422
    assert auth_client.post(f"{AUTH}/2fa/enable",
                            json={"code": code_at(second, NOW)}).status_code == 200


def test_enable_before_setup_and_for_accounts_without_a_password(client, auth_client):
    assert auth_client.post(f"{AUTH}/2fa/enable", json={"code": "123456"}).status_code == 409
    user = oauth.find_or_create_user(oauth.ProviderIdentity(
        provider="google", subject="g-2", email="oauth@example.com", email_verified=True,
        full_name="O"))
    with client.application.app_context():
        access, _ = auth_sessions.start_session(user)
    refused = client.post(f"{AUTH}/2fa/setup", headers=bearer(access))
    assert refused.status_code == 409 and "set a password first" in refused.get_json()["message"]


def test_a_secret_encrypted_under_another_key_leaves_the_recovery_codes(
        make_app, auth_client, enabled):
    secret, codes = enabled
    email = auth_client.user["email"]
    other = make_app(SECRET_KEY="another-secret-key-that-is-long-enough-00").test_client()
    assert login(other, email, code_at(secret, NOW)).status_code == 401
    assert login(other, email, codes[0]).status_code == 200


def test_codes_are_rate_limited_per_account(make_app, at):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_OTP_PER_ACCOUNT="3/minute")
    client = app.test_client()
    tokens = client.post(f"{AUTH}/register", json={
        "email": "ada@example.com", "password": PASSWORD, "full_name": "Ada"}).get_json()
    headers = bearer(tokens["access_token"])
    secret = client.post(f"{AUTH}/2fa/setup", headers=headers).get_json()["secret"]
    assert client.post(f"{AUTH}/2fa/enable", headers=headers,
                       json={"code": "000000"}).status_code == 422
    assert client.post(f"{AUTH}/2fa/enable", headers=headers,
                       json={"code": code_at(secret, NOW)}).status_code == 200
    # Sign-in codes count with the codes tried to turn it on: the third attempt of the minute
    # is the last.
    assert login(client, "ada@example.com", "111111").status_code == 401
    assert login(client, "ada@example.com", "222222").status_code == 429
    assert login(client, "ada@example.com", code_at(secret, NOW, steps=1)).status_code == 429
    # A sign-in without a code is not a code attempt.
    no_code = login(client, "ada@example.com")
    assert no_code.status_code == 401 and "otp" in no_code.get_json()["errors"]
