"""Sign in with Google and LinkedIn, against a fake OpenID provider on 127.0.0.1.

The fake serves discovery, token, JWKS and userinfo endpoints like the real providers (Google:
client_secret_basic, PKCE, nonce in the ID token; LinkedIn: client_secret_post, no PKCE, no nonce
in the ID token). The browser step is skipped: a test reads the authorize URL /login redirects
to, has the fake issue a code for it, and calls the callback as the provider would.
"""
import base64
import hashlib
import json
import secrets
import socket
import threading
import time
from urllib.parse import parse_qs, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.wrappers import Request, Response

from app.models import User
from app.services import oauth as sign_in

from .conftest import PASSWORD, bearer

FRONTEND_URL = "http://localhost:3000/oauth/complete"
ME = "/api/v1/auth/me"
GOOGLE_LOGIN = "/api/v1/auth/oauth/google/login"
GOOGLE_CALLBACK = "/api/v1/auth/oauth/google/callback"


def _s256(verifier):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class FakeOpenIDProvider:
    """Two providers on one local server: `/google/...` and `/linkedin/...`."""

    CLIENTS = {"google": ("google-client-id", "google-secret"),
               "linkedin": ("linkedin-client-id", "linkedin-secret")}

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "fake-key", "use": "sig"})
        # What a test wants the ID token signed with (a key outside the JWKS = a forgery).
        self.signing_key = self.key
        self.grants = {}
        self.token_requests = []
        self.server = make_server("127.0.0.1", 0, self.wsgi, handler_class=_QuietHandler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def metadata_url(self, provider):
        return f"{self.base_url}/{provider}/.well-known/openid-configuration"

    def issue_code(self, authorize_url, claims, *, id_token_has_email=True, tampered=None):
        """The code the provider would send back for this authorization request.

        `tampered` overrides ID token claims (after the nonce is set), as an attacker would.
        """
        request = query_of(authorize_url)
        code = secrets.token_urlsafe(16)
        self.grants[code] = {"request": request, "claims": claims,
                             "id_token_has_email": id_token_has_email, "tampered": tampered or {}}
        return code

    def wsgi(self, environ, start_response):
        request = Request(environ)
        provider, _, endpoint = request.path.strip("/").partition("/")
        handlers = {".well-known/openid-configuration": self.discovery, "token": self.token,
                    "jwks": self.jwks, "userinfo": self.userinfo}
        if provider not in self.CLIENTS or endpoint not in handlers:
            return Response("not found", status=404)(environ, start_response)
        return handlers[endpoint](provider, request)(environ, start_response)

    def discovery(self, provider, request):
        issuer = f"{self.base_url}/{provider}"
        metadata = {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }
        if provider == "google":
            metadata["code_challenge_methods_supported"] = ["S256"]
        return _json(metadata)

    def jwks(self, provider, request):
        return _json({"keys": [self.key.as_dict(private=False)]})

    def token(self, provider, request):
        form = request.form.to_dict()
        self.token_requests.append({"provider": provider, "form": form,
                                    "authorization": request.headers.get("Authorization")})
        client_id, client_secret = self.CLIENTS[provider]
        if provider == "google":  # client_secret_basic
            expected = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
            authenticated = request.headers.get("Authorization") == f"Basic {expected}"
        else:  # client_secret_post
            authenticated = (form.get("client_id"), form.get("client_secret")) == (
                client_id, client_secret)
        if not authenticated:
            return _json({"error": "invalid_client"}, 401)
        grant = self.grants.pop(form.get("code"), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            return _json({"error": "invalid_grant"}, 400)
        authorization = grant["request"]
        if form.get("redirect_uri") != authorization["redirect_uri"]:
            return _json({"error": "invalid_grant", "error_description": "redirect_uri"}, 400)
        challenge = authorization.get("code_challenge")
        if challenge and _s256(form.get("code_verifier", "")) != challenge:
            return _json({"error": "invalid_grant", "error_description": "PKCE"}, 400)

        access_token = secrets.token_urlsafe(16)
        self.grants[access_token] = grant
        now = int(time.time())
        id_token_claims = {"iss": f"{self.base_url}/{provider}", "aud": client_id,
                           "iat": now, "exp": now + 3600, **grant["claims"]}
        if not grant["id_token_has_email"]:
            id_token_claims.pop("email", None)
            id_token_claims.pop("email_verified", None)
        # LinkedIn leaves the nonce out of its ID tokens.
        if provider == "google" and "nonce" in authorization:
            id_token_claims["nonce"] = authorization["nonce"]
        id_token_claims.update(grant["tampered"])
        id_token = jwt.encode({"alg": "RS256", "kid": "fake-key"}, id_token_claims,
                              self.signing_key)
        return _json({"access_token": access_token, "token_type": "Bearer", "expires_in": 3600,
                      "id_token": id_token, "scope": authorization.get("scope", "")})

    def userinfo(self, provider, request):
        grant = self.grants.get(request.headers.get("Authorization", "").removeprefix("Bearer "))
        if grant is None:
            return _json({"error": "invalid_token"}, 401)
        return _json(grant["claims"])

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def query_of(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _json(body, status=200):
    return Response(json.dumps(body), status=status, mimetype="application/json")


@pytest.fixture(scope="module")
def provider():
    fake = FakeOpenIDProvider()
    yield fake
    fake.close()


@pytest.fixture(autouse=True)
def _fresh_provider_state(provider):
    provider.grants.clear()
    provider.token_requests.clear()
    provider.signing_key = provider.key


def provider_settings(provider, **overrides):
    settings = {
        "GOOGLE_CLIENT_ID": "google-client-id", "GOOGLE_CLIENT_SECRET": "google-secret",
        "GOOGLE_SERVER_METADATA_URL": provider.metadata_url("google"),
        "LINKEDIN_CLIENT_ID": "linkedin-client-id", "LINKEDIN_CLIENT_SECRET": "linkedin-secret",
        "LINKEDIN_SERVER_METADATA_URL": provider.metadata_url("linkedin"),
        "FRONTEND_URL": FRONTEND_URL, "OAUTH_REDIRECT_BASE": "",
    }
    settings.update(overrides)
    return settings


@pytest.fixture
def browser(make_app, provider):
    """A test client (it keeps the session cookie, like a browser) of an app using the fake."""
    return make_app(**provider_settings(provider)).test_client()


def google_claims(subject="g-1001", email="ada@example.com", verified=True, **extra):
    return {"sub": subject, "email": email, "email_verified": verified,
            "name": "Ada Lovelace", **extra}


def start(browser, name="google", **query):
    """GET /login; returns the provider's authorize URL it redirects to."""
    response = browser.get(f"/api/v1/auth/oauth/{name}/login", query_string=query)
    assert response.status_code == 302, response.get_json()
    return response.headers["Location"]


def sign_in_with(browser, provider, claims, name="google", query=None, **issue_options):
    """The whole flow (`query`: of /login); returns the callback's response."""
    authorize_url = start(browser, name, **(query or {}))
    code = provider.issue_code(authorize_url, claims, **issue_options)
    state = query_of(authorize_url)["state"]
    return browser.get(f"/api/v1/auth/oauth/{name}/callback",
                       query_string={"code": code, "state": state})


def fragment_of(response):
    """The parameters in the fragment of a redirect to the frontend (the query must be empty)."""
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == FRONTEND_URL
    assert location.query == ""
    return {key: values[0] for key, values in parse_qs(location.fragment).items()}


# --- the redirect to the provider ---------------------------------------------------------------

def test_login_redirects_with_state_nonce_and_pkce(browser, provider):
    authorize_url = start(browser)
    assert authorize_url.startswith(f"{provider.base_url}/google/authorize?")
    params = query_of(authorize_url)
    assert params["response_type"] == "code"
    assert params["client_id"] == "google-client-id"
    assert params["redirect_uri"] == "http://localhost/api/v1/auth/oauth/google/callback"
    assert set(params["scope"].split()) == {"openid", "email", "profile"}
    assert params["state"] and params["nonce"]
    assert params["code_challenge_method"] == "S256" and params["code_challenge"]
    # The state lives in the signed session cookie, not on the server.
    assert browser.get_cookie("session") is not None


def test_linkedin_login_uses_no_pkce(browser, provider):
    params = query_of(start(browser, "linkedin"))
    assert params["client_id"] == "linkedin-client-id"
    assert set(params["scope"].split()) == {"openid", "profile", "email"}
    assert "code_challenge" not in params


def test_redirect_base_setting_names_the_callback(make_app, provider):
    browser = make_app(**provider_settings(
        provider, OAUTH_REDIRECT_BASE="https://api.vitrine.example/")).test_client()
    assert query_of(start(browser))["redirect_uri"] == (
        "https://api.vitrine.example/api/v1/auth/oauth/google/callback")


def test_unknown_provider_is_404(browser):
    for path in ("/api/v1/auth/oauth/facebook/login", "/api/v1/auth/oauth/facebook/callback"):
        response = browser.get(path)
        assert response.status_code == 404
        assert response.get_json()["code"] == 404


def test_unconfigured_provider_is_503(make_app, provider):
    browser = make_app(**provider_settings(
        provider, GOOGLE_CLIENT_ID="", GOOGLE_CLIENT_SECRET="")).test_client()
    for path in (GOOGLE_LOGIN, GOOGLE_CALLBACK):
        response = browser.get(path)
        assert response.status_code == 503
        assert response.get_json() == {"code": 503, "status": "Service Unavailable",
                                        "message": "Google sign-in is not configured."}
    # LinkedIn is configured on its own.
    assert browser.get("/api/v1/auth/oauth/linkedin/login").status_code == 302


def test_unreachable_provider_is_503(make_app, provider):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    browser = make_app(**provider_settings(
        provider, GOOGLE_SERVER_METADATA_URL=f"http://127.0.0.1:{port}/meta")).test_client()
    response = browser.get(GOOGLE_LOGIN)
    assert response.status_code == 503
    assert "temporarily unavailable" in response.get_json()["message"]


# --- the callback: accounts ---------------------------------------------------------------------

def test_new_user_is_created_and_tokens_are_only_in_the_fragment(browser, provider):
    response = sign_in_with(browser, provider, google_claims(picture="https://img.example/a.png"))
    fragment = fragment_of(response)
    assert set(fragment) == {"access_token", "refresh_token", "token_type"}
    assert fragment["token_type"] == "Bearer"
    assert fragment["access_token"] not in response.headers["Location"].split("#")[0]
    assert response.headers["Cache-Control"] == "no-store"

    user = User.objects.get(email="ada@example.com")
    assert user.password_hash is None
    assert user.full_name == "Ada Lovelace"
    assert user.photo_url == "https://img.example/a.png"
    assert [(i.provider, i.subject) for i in user.oauth_identities] == [("google", "g-1001")]

    me = browser.get(ME, headers=bearer(fragment["access_token"]))
    assert me.status_code == 200
    assert me.get_json()["email"] == "ada@example.com"
    assert me.get_json()["has_password"] is False
    assert me.get_json()["oauth_providers"] == ["google"]
    refreshed = browser.post("/api/v1/auth/refresh", headers=bearer(fragment["refresh_token"]))
    assert refreshed.status_code == 200


def test_the_code_is_exchanged_with_pkce_and_the_id_token_nonce_checked(browser, provider):
    sign_in_with(browser, provider, google_claims())
    (exchange,) = provider.token_requests
    assert exchange["form"]["code_verifier"]
    assert exchange["authorization"].startswith("Basic ")


def test_existing_identity_signs_in_to_the_same_account(browser, provider):
    first = fragment_of(sign_in_with(browser, provider, google_claims()))
    # The identity is the subject: a changed (even unverified) email still signs in.
    second = fragment_of(sign_in_with(browser, provider, google_claims(
        email="ada.new@example.com", verified=False)))
    assert User.objects.count() == 1
    first_id = browser.get(ME, headers=bearer(first["access_token"])).get_json()["id"]
    second_id = browser.get(ME, headers=bearer(second["access_token"])).get_json()["id"]
    assert first_id == second_id


def register_with_password(browser, email="ada@example.com"):
    response = browser.post("/api/v1/auth/register", json={
        "email": email, "password": PASSWORD, "full_name": "Ada (password)"})
    assert response.status_code == 201
    return response.get_json()["user"]


def test_a_password_account_is_never_linked_automatically(browser, provider):
    # Whoever registered with a password never proved owning the address: linking would let a
    # squatter who pre-registered the victim's email keep a password into the victim's account.
    register_with_password(browser)
    response = sign_in_with(browser, provider, google_claims(email="ADA@example.com"))
    assert fragment_of(response)["error"] == "account_exists"
    assert "access_token" not in response.headers["Location"]
    assert User.objects.count() == 1
    assert User.objects.get(email="ada@example.com").oauth_identities == []
    login = browser.post("/api/v1/auth/login", json={"email": "ada@example.com",
                                                    "password": PASSWORD})
    assert login.status_code == 200


def test_unverified_email_never_links_an_existing_account(browser, provider):
    register_with_password(browser)
    response = sign_in_with(browser, provider, google_claims(verified=False))
    fragment = fragment_of(response)
    assert fragment["error"] == "email_not_verified"
    assert "access_token" not in response.headers["Location"]
    assert User.objects.count() == 1
    assert User.objects.get(email="ada@example.com").oauth_identities == []


def test_unverified_email_creates_no_account(browser, provider):
    response = sign_in_with(browser, provider, google_claims(verified="false"))
    assert fragment_of(response)["error"] == "email_not_verified"
    assert User.objects.count() == 0


def test_an_account_linked_to_another_google_account_is_not_linked_again(browser, provider):
    fragment_of(sign_in_with(browser, provider, google_claims(subject="g-original")))
    response = sign_in_with(browser, provider, google_claims(subject="g-someone-else"))
    assert fragment_of(response)["error"] == "identity_conflict"
    user = User.objects.get(email="ada@example.com")
    assert [i.subject for i in user.oauth_identities] == ["g-original"]


def test_linkedin_sign_in(browser, provider):
    claims = {"sub": "li-77", "email": "grace@example.com", "email_verified": True,
              "given_name": "Grace", "family_name": "Hopper"}
    # The email only from the userinfo endpoint, and no nonce in the ID token (LinkedIn).
    response = sign_in_with(browser, provider, claims, name="linkedin", id_token_has_email=False)
    fragment = fragment_of(response)
    me = browser.get(ME, headers=bearer(fragment["access_token"])).get_json()
    assert me["email"] == "grace@example.com" and me["full_name"] == "Grace Hopper"
    assert me["oauth_providers"] == ["linkedin"]
    (exchange,) = provider.token_requests
    assert exchange["form"]["client_secret"] == "linkedin-secret"  # client_secret_post
    assert "code_verifier" not in exchange["form"]


# --- the callback: refusals ---------------------------------------------------------------------

def test_state_mismatch_is_refused_before_the_code_is_spent(browser, provider):
    authorize_url = start(browser)
    code = provider.issue_code(authorize_url, google_claims())
    response = browser.get(GOOGLE_CALLBACK, query_string={"code": code, "state": "forged"})
    assert fragment_of(response)["error"] == "invalid_state"
    assert provider.token_requests == []
    assert User.objects.count() == 0


def test_callback_from_another_browser_is_refused(browser, provider):
    authorize_url = start(browser)
    code = provider.issue_code(authorize_url, google_claims())
    state = query_of(authorize_url)["state"]
    other_browser = browser.application.test_client()  # no session cookie
    response = other_browser.get(GOOGLE_CALLBACK, query_string={"code": code, "state": state})
    assert fragment_of(response)["error"] == "invalid_state"
    assert User.objects.count() == 0


def test_a_state_is_used_once(browser, provider):
    authorize_url = start(browser)
    state = query_of(authorize_url)["state"]
    code = provider.issue_code(authorize_url, google_claims())
    first = browser.get(GOOGLE_CALLBACK, query_string={"code": code, "state": state})
    assert "access_token" in fragment_of(first)
    replay = browser.get(GOOGLE_CALLBACK, query_string={"code": code, "state": state})
    assert fragment_of(replay)["error"] == "invalid_state"


def test_cancelled_at_the_provider(browser, provider):
    state = query_of(start(browser))["state"]
    response = browser.get(GOOGLE_CALLBACK, query_string={
        "error": "access_denied", "error_description": "<script>", "state": state})
    fragment = fragment_of(response)
    assert fragment["error"] == "access_denied"
    assert fragment["error_description"] == "Google sign-in was cancelled."


def test_failed_code_exchange(browser, provider):
    state = query_of(start(browser))["state"]
    response = browser.get(GOOGLE_CALLBACK, query_string={"code": "unknown", "state": state})
    assert fragment_of(response)["error"] == "provider_error"
    assert User.objects.count() == 0


def test_id_token_not_signed_by_the_provider_is_refused(browser, provider):
    provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": "fake-key"})
    response = sign_in_with(browser, provider, google_claims())
    assert fragment_of(response)["error"] == "provider_error"
    assert User.objects.count() == 0


@pytest.mark.parametrize("tampered", [
    {"nonce": "a-nonce-from-another-sign-in"},
    {"aud": "some-other-client"},
    {"iss": "http://127.0.0.1:1/another-issuer"},
    {"exp": int(time.time()) - 3600},
])
def test_id_token_claims_are_checked(browser, provider, tampered):
    response = sign_in_with(browser, provider, google_claims(), tampered=tampered)
    assert fragment_of(response)["error"] == "provider_error"
    assert User.objects.count() == 0


def test_linkedin_id_token_with_a_wrong_nonce_is_refused(browser, provider):
    claims = {"sub": "li-1", "email": "x@example.com", "email_verified": True, "name": "X"}
    response = sign_in_with(browser, provider, claims, name="linkedin",
                            tampered={"nonce": "not-the-one-sent"})
    assert fragment_of(response)["error"] == "provider_error"


def test_without_frontend_url_the_callback_answers_json(make_app, provider):
    browser = make_app(**provider_settings(provider, FRONTEND_URL="")).test_client()
    response = browser.get(GOOGLE_CALLBACK, query_string={"code": "x", "state": "forged"})
    assert response.status_code == 400
    assert response.get_json()["code"] == 400
    assert "not started here" in response.get_json()["message"]

    success = sign_in_with(browser, provider, google_claims())
    assert success.status_code == 200
    assert success.headers["Cache-Control"] == "no-store"
    body = success.get_json()
    assert body["user"]["email"] == "ada@example.com" and body["access_token"]


# --- accounts without a password ----------------------------------------------------------------

def signed_in_without_password(browser, provider):
    fragment = fragment_of(sign_in_with(browser, provider, google_claims()))
    browser.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {fragment['access_token']}"
    return browser


def test_account_without_password_is_deleted_with_confirm(browser, provider):
    client = signed_in_without_password(browser, provider)
    missing = client.delete(ME, json={})
    assert missing.status_code == 422
    assert "confirm" in missing.get_json()["errors"]
    assert client.delete(ME, json={"password": "anything at all"}).status_code == 422
    assert client.delete(ME, json={"confirm": "yes"}).status_code == 422
    assert client.delete(ME, json={"confirm": "DELETE"}).status_code == 204
    assert User.objects.count() == 0


def test_account_without_password_cannot_change_one(browser, provider):
    client = signed_in_without_password(browser, provider)
    response = client.post("/api/v1/auth/password", json={
        "current_password": "", "new_password": "a brand new passphrase"})
    assert response.status_code == 422
    assert "no password" in response.get_json()["message"]


def test_password_login_does_not_open_an_account_without_password(browser, provider):
    signed_in_without_password(browser, provider)
    response = browser.post("/api/v1/auth/login", json={"email": "ada@example.com",
                                                       "password": "whatever it is"})
    assert response.status_code == 401


# --- the rules, directly ------------------------------------------------------------------------

def identity(**fields):
    values = {"provider": "google", "subject": "g-1", "email": "lin@example.com",
              "email_verified": True, "full_name": "Lin"}
    values.update(fields)
    return sign_in.ProviderIdentity(**values)


def test_find_or_create_user_rules(app):
    created = sign_in.find_or_create_user(identity())
    assert sign_in.find_or_create_user(identity()).id == created.id
    # The same person through LinkedIn, with a verified email: linked to the same account.
    linked = sign_in.find_or_create_user(identity(provider="linkedin", subject="li-1"))
    assert linked.id == created.id
    assert sorted(i.provider for i in linked.oauth_identities) == ["google", "linkedin"]
    with pytest.raises(sign_in.SignInRefused) as refused:
        sign_in.find_or_create_user(identity(subject="g-2", email=None))
    assert refused.value.error == "email_missing"
    # No name from the provider: the email's local part stands in.
    assert sign_in.find_or_create_user(
        identity(subject="g-3", email="nameless@example.com", full_name="")).full_name == "nameless"


# --- the web app: its sign-in ends with session cookies, never a token in a URL -----------------

def test_web_app_sign_in_ends_on_the_dashboard_with_session_cookies(browser, provider):
    response = sign_in_with(browser, provider, google_claims(), query={"session": "cookie"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/app"
    set_cookies = {header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie")}
    assert {"access_token_cookie", "refresh_token_cookie", "csrf_access_token"} <= set_cookies
    assert browser.get(ME).get_json()["email"] == "ada@example.com"
    # The choice was for that sign-in only: the next one without it gets its tokens as before.
    assert set(fragment_of(sign_in_with(browser, provider, google_claims()))) == {
        "access_token", "refresh_token", "token_type"}


def test_web_app_sign_in_refused_ends_on_the_sign_in_page(browser, provider):
    authorize_url = start(browser, session="cookie")
    code = provider.issue_code(authorize_url, google_claims())
    response = browser.get(GOOGLE_CALLBACK, query_string={"code": code, "state": "forged"})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.path, location.query) == ("/signin", "")
    error = parse_qs(location.fragment)
    assert error["error"] == ["invalid_state"] and error["error_description"][0]
    assert "access_token_cookie" not in str(response.headers.getlist("Set-Cookie"))
