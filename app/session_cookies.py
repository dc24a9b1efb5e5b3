"""How a browser holds its session: the tokens in HttpOnly cookies that no script can read.

The web app signs in with `"session": "cookie"` in the body of POST /api/v1/auth/login or
/register. The answer then carries no token in its JSON; it sets four cookies instead, each living
as long as its token, SameSite=Lax, `Secure` in production (settings in config.py):

| cookie | HttpOnly | path | holds |
|---|---|---|---|
| `access_token_cookie` | yes | `/` | the access token |
| `csrf_access_token` | no | `/` | the CSRF value bound into the access token |
| `refresh_token_cookie` | yes | `/api/v1/auth/refresh` | the refresh token, sent only where it is spent |
| `csrf_refresh_token` | no | `/` | the CSRF value bound into the refresh token |

flask-jwt-extended takes a token from the `Authorization` header first, then from the cookies. A
token taken from a cookie needs, on POST, PUT, PATCH and DELETE, the header
`X-CSRF-TOKEN: <value of the matching csrf_* cookie>`: double submit — another site can make the
browser send the cookies, but cannot read them to copy the value (403 without it, see
app/errors.py). A request with a Bearer header needs no CSRF header.

Sessions are the same `AuthSession` refresh-token families whichever way the tokens travel
(app/services/auth_sessions.py): POST /auth/refresh with the refresh cookie rotates it and sets new
cookies, a spent refresh cookie presented again revokes the family, POST /auth/logout and
POST /auth/sessions/revoke-all revoke and delete the cookies.
"""
from flask import after_this_request, current_app, request
from flask_jwt_extended import (
    get_jwt_request_location, set_access_cookies, set_refresh_cookies, unset_jwt_cookies,
    verify_jwt_in_request,
)
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError

COOKIE = "cookie"


def deliver(access_token, refresh_token):
    """Set the session cookies on this request's response (a sign-in or a refresh)."""
    config = current_app.config

    @after_this_request
    def set_cookies(response):
        set_access_cookies(response, access_token,
                           max_age=int(config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds()))
        set_refresh_cookies(response, refresh_token,
                            max_age=int(config["JWT_REFRESH_TOKEN_EXPIRES"].total_seconds()))
        return response


def forget():
    """Delete the session cookies with this request's response, whatever it turns out to be
    (a sign-out, or a refresh refused with a 401)."""
    @after_this_request
    def delete_cookies(response):
        unset_jwt_cookies(response)
        return response


def token_came_from_cookie():
    """Did the token of this (verified) request come from a cookie rather than the header?"""
    return get_jwt_request_location() == "cookies"


def has_valid_access_cookie():
    """Does this request carry a valid, unrevoked access cookie of an existing account?"""
    try:
        return verify_jwt_in_request(optional=True, locations=["cookies"]) is not None
    except (JWTExtendedException, PyJWTError):
        return False


def may_be_signed_in():
    """Could this browser be signed in? A valid access cookie, or a refresh cookie the page's
    script can spend (its readable CSRF twin is sent on every path, the refresh cookie itself
    only to /auth/refresh). A hint for which page to show, never an authorisation: the pages
    hold no data, and every API call checks the token."""
    refresh_twin = current_app.config["JWT_REFRESH_CSRF_COOKIE_NAME"]
    return has_valid_access_cookie() or bool(request.cookies.get(refresh_twin))
