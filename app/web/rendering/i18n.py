"""The message catalogues of the published pages (app/translations/<language>, gettext `.po`
files compiled to the committed `.mo`) and the Babel locale of each language.

Plain Babel rather than Flask-Babel: a page's language is its portfolio's, not the request's,
and the same rendering runs outside any request (PDF in a Celery task, the Word export).
"""
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.support import Translations

from ...models.languages import DEFAULT_LANGUAGE, LANGUAGES

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "translations"


def N_(message):
    """Marks a message for extraction (`pybabel extract`) where it is translated later."""
    return message


def page_language(language):
    """`language` if Vitrine speaks it, else the default (older documents have none)."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
def translations(language):
    """The catalogue of `language` (English, the messages' own language, has none)."""
    return Translations.load(TRANSLATIONS_DIR, [page_language(language)])


@lru_cache(maxsize=None)
def locale(language):
    return Locale.parse(page_language(language))
