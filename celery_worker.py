"""Celery entry point: `celery -A celery_worker worker` (and `beat`)."""
from app import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
