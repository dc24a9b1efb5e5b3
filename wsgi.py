"""WSGI entry point: `gunicorn wsgi:app` (or PythonAnywhere's WSGI file importing `app`)."""
from app import create_app

app = create_app()
