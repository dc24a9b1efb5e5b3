"""The catalogues and locales of the published pages: those of app/catalogues.py, which the
mails and notifications share."""
from ...catalogues import N_, locale, page_language, translations

__all__ = ["N_", "locale", "page_language", "translations"]
