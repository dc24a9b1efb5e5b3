"""The gettext catalogues (app/translations/<language>, `.po` files compiled to the committed
`.mo`) and the Babel locale of each language Vitrine speaks: the published pages, PDF and Word
export (app/web/rendering), the mails and the notifications' texts (app/services) read them.

Plain Babel rather than Flask-Babel: the language is the portfolio's or the recipient's, never
the request's, and the same code runs outside any request (a Celery task).
"""
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.support import Translations

from .models.languages import DEFAULT_LANGUAGE, LANGUAGES

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def N_(message):
    """Marks a message for extraction (`pybabel extract`) where it is translated later."""
    return message


def page_language(language):
    """`language` if Vitrine speaks it, else the default (older documents and accounts have
    none)."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
def translations(language):
    """The catalogue of `language` (English, the messages' own language, has none)."""
    return Translations.load(TRANSLATIONS_DIR, [page_language(language)])


@lru_cache(maxsize=None)
def locale(language):
    return Locale.parse(page_language(language))
