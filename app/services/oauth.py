"""Sign in with Google or LinkedIn (OpenID Connect, authorization code flow).

`/login` redirects the browser to the provider. authlib keeps the `state`, the PKCE verifier and
the nonce in Flask's signed session cookie, so any app server can finish the flow. `/callback`
exchanges the code server-to-server; authlib checks the ID token's signature (the provider's
JWKS), issuer, audience, expiry and nonce. The browser then ends at `FRONTEND_URL` with the
tokens in the URL fragment, which browsers never send to a server or put in a Referer.

Account rules (`find_or_create_user`):
- the provider's `(provider, subject)` pair is the identity and signs in the account it is on;
- otherwise an email the provider has *verified* finds an existing password-less account (made
  by another provider, which verified the same address) and links to it;
- an existing account with a password is never linked automatically: nobody proved that whoever
  registered it owns the address, so linking would let someone who pre-registered a victim's
  email keep a password into the victim's account. Its owner signs in with the password instead;
- otherwise a new account without a password is created.
An unverified email is refused outright: linking on it would hand an existing account to whoever
typed that address at the provider, and creating an account on it would let anyone reserve
someone else's address (and be linked into it later).
"""
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from authlib.oidc.core import CodeIDToken
from flask import current_app, redirect
from flask_smorest import abort
from joserfc.errors import JoseError
from mongoengine.errors import NotUniqueError

from ..extensions import oauth_registry
from ..models import OAuthIdentity, User
from ..models.user import utcnow
from .. import app_language

log = logging.getLogger(__name__)

# Every call to a provider (discovery, token, JWKS, userinfo) gives up after this long.
PROVIDER_TIMEOUT_SECONDS = 10
FULL_NAME_MAX = 120
PHOTO_URL_MAX = 2048


class IDTokenWithOptionalNonce(CodeIDToken):
    """LinkedIn's ID tokens leave out the nonce the client sent; a nonce present must still match.

    The code is exchanged directly with LinkedIn with the client secret and `state` binds the
    callback to the browser that started the flow, so the ID token cannot be a replayed one.
    """

    def validate_nonce(self):
        if "nonce" in self:
            super().validate_nonce()


@dataclass(frozen=True)
class Provider:
    label: str
    client_kwargs: dict
    claims_cls: type = None


PROVIDERS = {
    "google": Provider(
        label="Google",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    ),
    # LinkedIn refuses PKCE from web apps (invalid_client) and wants the secret in the form body.
    "linkedin": Provider(
        label="LinkedIn",
        client_kwargs={"scope": "openid profile email",
                       "token_endpoint_auth_method": "client_secret_post"},
        claims_cls=IDTokenWithOptionalNonce,
    ),
}


class SignInRefused(Exception):
    """The sign-in cannot finish; `error` is the code the frontend receives, `message` says why."""

    def __init__(self, error, message):
        super().__init__(message)
        self.error = error
        self.message = message


@dataclass(frozen=True)
class ProviderIdentity:
    """Who the provider says signed in."""
    provider: str
    subject: str
    email: str
    email_verified: bool
    full_name: str
    photo_url: str = None


def client_settings(config):
    """authlib client arguments for each provider that `config` gives an id and a secret."""
    settings = {}
    for name, provider in PROVIDERS.items():
        prefix = name.upper()
        client_id = config.get(f"{prefix}_CLIENT_ID")
        client_secret = config.get(f"{prefix}_CLIENT_SECRET")
        if client_id and client_secret:
            settings[name] = {
                "client_id": client_id,
                "client_secret": client_secret,
                "server_metadata_url": config[f"{prefix}_SERVER_METADATA_URL"],
                "client_kwargs": {**provider.client_kwargs,
                                  "default_timeout": PROVIDER_TIMEOUT_SECONDS},
            }
    return settings


def get_client(provider):
    """The provider's authlib client: 404 for an unknown name, 503 when it is not configured."""
    if provider not in PROVIDERS:
        abort(404, message="There is no such sign-in provider.")
    client = oauth_registry().create_client(provider)
    if client is None:
        abort(503, message=f"{PROVIDERS[provider].label} sign-in is not configured.")
    return client


def begin_sign_in(client, callback_url):
    """The redirect to the provider's sign-in page (state, nonce and PKCE saved in the session)."""
    try:
        return client.authorize_redirect(callback_url)
    except requests.RequestException as exc:  # discovery document unreachable or broken
        log.warning("%s sign-in unavailable: %s", client.name, exc)
        abort(503, message=f"{PROVIDERS[client.name].label} sign-in is temporarily unavailable; "
                           "try again shortly.")


def fetch_identity(client):
    """Finish the provider's side of the flow for the current callback request."""
    provider = PROVIDERS[client.name]
    try:
        token = client.authorize_access_token(claims_cls=provider.claims_cls)
        claims = dict(token.get("userinfo") or {})
        if not claims.get("email"):
            claims = _merge_userinfo(client, token, claims)
    except MismatchingStateError:
        raise SignInRefused("invalid_state", "This sign-in was not started here or has expired; "
                                             "try again.") from None
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError) as exc:
        # `error=access_denied` on the callback: the user said no at the provider.
        if getattr(exc, "error", None) == "access_denied":
            raise SignInRefused("access_denied",
                                f"{provider.label} sign-in was cancelled.") from None
        log.warning("%s sign-in failed: %s", client.name, exc)
        raise SignInRefused("provider_error",
                            f"{provider.label} sign-in failed; try again.") from None
    return _identity_from_claims(client.name, claims)


def _merge_userinfo(client, token, id_token_claims):
    """Add the userinfo endpoint's claims when the ID token does not carry the email."""
    userinfo = client.userinfo(token=token)
    if id_token_claims and userinfo.get("sub") != id_token_claims.get("sub"):
        raise ValueError("userinfo describes another subject than the ID token")
    return {**userinfo, **id_token_claims}


def _identity_from_claims(provider, claims):
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise SignInRefused("provider_error",
                            f"{PROVIDERS[provider].label} did not say who signed in.")
    email = claims.get("email")
    name = (claims.get("name")
            or " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")])))
    photo_url = claims.get("picture")
    return ProviderIdentity(
        provider=provider,
        subject=subject,
        email=email.strip().lower() if isinstance(email, str) and email.strip() else None,
        # Some providers send the boolean as a string.
        email_verified=claims.get("email_verified") in (True, "true"),
        full_name=name.strip() if isinstance(name, str) else "",
        photo_url=(photo_url if isinstance(photo_url, str) and photo_url.startswith("https://")
                   and len(photo_url) <= PHOTO_URL_MAX else None),
    )


def find_or_create_user(identity):
    """The account this provider identity signs in to (see the module docstring for the rules)."""
    user = User.objects(oauth_identities__match={
        "provider": identity.provider, "subject": identity.subject}).first()
    if user is not None:
        return user
    label = PROVIDERS[identity.provider].label
    if not identity.email:
        raise SignInRefused("email_missing", f"{label} did not share an email address.")
    if not identity.email_verified:
        raise SignInRefused("email_not_verified",
                            f"Your email address is not verified at {label}; verify it there, "
                            "or sign up with a password.")
    user = User.objects(email=identity.email).first()
    if user is not None and user.password_hash:
        raise SignInRefused("account_exists",
                            "An account with this email already exists; sign in with its "
                            "password.")
    if user is None:
        try:
            return User(
                email=identity.email,
                full_name=(identity.full_name or identity.email.split("@")[0])[:FULL_NAME_MAX],
                photo_url=identity.photo_url,
                oauth_identities=[_new_identity(identity)],
                email_verified_at=utcnow(),  # the provider verified it (checked above)
                language=app_language.new_account_language(),
            ).save()
        except NotUniqueError:  # a concurrent sign-in or registration created it first
            user = User.objects(email=identity.email).first()
    return _link(user, identity)


def _new_identity(identity):
    return OAuthIdentity(provider=identity.provider, subject=identity.subject)


def _link(user, identity):
    """Add the identity to an existing account that has none from this provider yet."""
    linked = User.objects(id=user.id, oauth_identities__provider__ne=identity.provider).update_one(
        push__oauth_identities=_new_identity(identity), set__updated_at=utcnow())
    if not linked and not User.objects(id=user.id, oauth_identities__match={
            "provider": identity.provider, "subject": identity.subject}).count():
        # The account is linked to another account of this provider: the address may since have
        # been given to someone else there, so it proves nothing about who owns this account.
        label = PROVIDERS[identity.provider].label
        raise SignInRefused("identity_conflict",
                            f"This account is already linked to another {label} account.")
    user.reload()
    return user


def frontend_redirect(fragment):
    """A 302 to `FRONTEND_URL` carrying `fragment` (tokens or an error) after the `#`."""
    base = current_app.config["FRONTEND_URL"].split("#", 1)[0]
    response = redirect(f"{base}#{urlencode(fragment)}")
    # The Location header holds tokens: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response
