"""Marshmallow schemas: what the API accepts and returns, separate from the documents."""
