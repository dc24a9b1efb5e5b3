"""The web app's language (its pages and modules, not the published portfolios): English, the
messages' own language, or one that has a catalogue app/static/app/i18n/<language>.json
(English message → translation). The same catalogue serves the templates, which render in the
chosen language (`{{ t("Sign in") }}`), and i18n.js, which reads the language the server chose
from `<html data-language>` and translates the modules' messages and the static fragments.
"""
import json
from functools import lru_cache
from pathlib import Path

from flask import g, has_request_context, request
from flask_jwt_extended import current_user

from . import session_cookies
from .catalogues import locale
from .models.languages import DEFAULT_LANGUAGE, LANGUAGES

CATALOGUE_DIR = Path(__file__).resolve().parent / "static" / "app" / "i18n"
# Vitrine's languages (in their order) that have a catalogue; English needs none.
APP_LANGUAGES = tuple(language for language in LANGUAGES if language == DEFAULT_LANGUAGE
                      or (CATALOGUE_DIR / f"{language}.json").is_file())
# Where the header's switch keeps a signed-out browser's choice (i18n.js writes it).
LANGUAGE_COOKIE = "vitrine-language"


@lru_cache(maxsize=None)
def language_choices(languages=APP_LANGUAGES):
    """Each of `languages` named in itself ("Deutsch"), from Babel's data, so that a new
    language needs no name written anywhere: by default the header switch's choices, the
    languages the app speaks. Cached: every app page lists them (60 µs each time)."""
    return tuple((language, own_name(language)) for language in languages)


def portfolio_language_choices():
    """The languages a portfolio's published pages can be in (LANGUAGES: the editor's and the
    new-portfolio dialog's choice), each named in itself."""
    return language_choices(LANGUAGES)


def own_name(language):
    name = locale(language).get_display_name(language)
    return name[:1].upper() + name[1:]  # Babel writes "français", "español" as in a sentence


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
    """The account's setting when signed in (the switch saves to it), else the browser's."""
    return account_language() or signed_out_language()


def signed_out_language():
    """The app's language before an account has one: the switch's choice kept in this browser's
    cookie, else the best of its Accept-Language."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in APP_LANGUAGES else browser_language()


def new_account_language():
    """The `language` a new account is given: the one the app was in when it signed up, so that
    what it gets away from the app's pages (mails, notifications, imported portfolios) is in it
    too; unset when English, which is also what no setting means."""
    language = signed_out_language() if has_request_context() else DEFAULT_LANGUAGE
    return None if language == DEFAULT_LANGUAGE else language


def browser_language(languages=APP_LANGUAGES):
    """The first of Accept-Language's languages, best first, among `languages` (by default the
    app's; the published pages': LANGUAGES), by its primary tag: "de-DE,en;q=0.5" is German
    (werkzeug's best_match would take the exact "en")."""
    for accepted, _ in request.accept_languages:
        primary = accepted.replace("_", "-").split("-")[0].lower()
        if primary in languages:
            return primary
    return DEFAULT_LANGUAGE


def request_language():
    """This request's app language, chosen once per request."""
    if "app_language" not in g:
        g.app_language = choose_language()
    return g.app_language


def t(message):
    """`message` (English) in this request's app language; English when the catalogue lacks it."""
    return catalogue(request_language()).get(message) or message
