"""The languages Vitrine speaks (ISO 639-1): a portfolio's published pages and an account's
app are in one of them."""
LANGUAGES = ("en", "fr", "de", "es")
DEFAULT_LANGUAGE = "en"
