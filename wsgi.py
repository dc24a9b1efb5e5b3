"""WSGI entry point: `gunicorn wsgi:app`, uWSGI's `--module wsgi:app`, or PythonAnywhere's WSGI
file importing `app` (docs/deploy-pythonanywhere.md).

A `.env` file beside this one, when present, sets the variables the environment does not
already set (config.py reads them at import, hence before the app package is imported).
"""
from pathlib import Path

from dotenv import load_dotenv

load_dotenv(Path(__file__).resolve().with_name(".env"))

from app import create_app  # noqa: E402  (after the .env is loaded)

app = create_app()
