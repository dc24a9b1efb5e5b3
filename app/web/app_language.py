"""The web app's language (its pages and modules, not the published portfolios): English, the
messages' own language, or one that has a catalogue app/static/app/i18n/<language>.json
(English message → translation). The same catalogue serves the templates, which render in the
chosen language (`{{ t("Sign in") }}`), and i18n.js, which reads the language the server chose
from `<html data-language>` and translates the modules' messages and the static fragments.
"""
import json
from functools import lru_cache
from pathlib import Path

from flask import g, request
from flask_jwt_extended import current_user

from .. import session_cookies

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "static" / "app" / "i18n"
DEFAULT_LANGUAGE = "en"
APP_LANGUAGES = (DEFAULT_LANGUAGE, *sorted(path.stem for path in CATALOGUE_DIR.glob("*.json")))
# Where the header's switch keeps a signed-out browser's choice (i18n.js writes it).
LANGUAGE_COOKIE = "vitrine-language"


@lru_cache(maxsize=None)
def catalogue(language):
    if language == DEFAULT_LANGUAGE:
        return {}
    return json.loads((CATALOGUE_DIR / f"{language}.json").read_text(encoding="utf-8"))


def account_language():
    """The signed-in account's setting, when it is one the app speaks."""
    if not session_cookies.has_valid_access_cookie():
        return None
    return current_user.language if current_user.language in APP_LANGUAGES else None


def choose_language():
    """The account's setting when signed in (the switch saves to it), else the switch's choice
    kept in this browser's cookie, else the best of the browser's Accept-Language."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return (account_language()
            or (chosen if chosen in APP_LANGUAGES else None)
            or request.accept_languages.best_match(APP_LANGUAGES, default=DEFAULT_LANGUAGE))


def request_language():
    """This request's app language, chosen once per request."""
    if "app_language" not in g:
        g.app_language = choose_language()
    return g.app_language


def t(message):
    """`message` (English) in this request's app language; English when the catalogue lacks it."""
    return catalogue(request_language()).get(message) or message
