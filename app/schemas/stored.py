"""Dumping a document as stored (the raw BSON values) the way a schema dumps its MongoEngine
document, without building the document.

Building a portfolio's MongoEngine documents and walking them field by field through
marshmallow was a third of an autosave (cProfile, issue 16). Here each schema is compiled once
into a list of (key, how to get the value from the stored dict, how to serialize it): the
schema's own fields serialize the values, and the model's defaults stand in for what is not
stored, as MongoEngine's would, so the output is the schema's (tests/test_portfolios.py
compares both on a portfolio with every section and field).
"""
from marshmallow import fields
from mongoengine import EmbeddedDocumentField, EmbeddedDocumentListField


def compile_dump(schema, model):
    """A function: stored dict of a `model` document -> `schema.dump(document)`. `model` None:
    the value is a plain dict (a DictField such as the theme): keys it lacks are left out."""
    steps = [_step(name, field, model) for name, field in schema.dump_fields.items()]

    def dump(stored):
        result = {}
        for key, value_of, serialize in steps:
            value = value_of(stored)
            if value is not _ABSENT:
                result[key] = serialize(value)
        return result
    return dump


_ABSENT = object()


class _Attributes:
    """The stored dict seen as its document, for `fields.Function` (`portfolio.password_hash`)."""

    def __init__(self, stored, model):
        self._stored, self._model = stored, model

    def __getattr__(self, name):
        if name not in self._model._fields:
            raise AttributeError(name)
        return _model_value(self._stored, self._model._fields[name])


def _model_value(stored, model_field):
    """What MongoEngine's document holds for `model_field` once loaded from `stored`: the
    stored value, else the field's default (which it also gives for a stored null)."""
    value = stored.get(model_field.db_field)
    if value is None and model_field.default is not None and not model_field.null:
        value = model_field.default() if callable(model_field.default) else model_field.default
        if hasattr(value, "to_mongo"):  # an embedded document's default (an empty profile)
            value = value.to_mongo().to_dict()
    return value


def _step(name, field, model):
    key, attribute = field.data_key or name, field.attribute or name
    if isinstance(field, fields.Function):
        return key, lambda stored: stored, lambda stored: field._serialize(
            None, attribute, _Attributes(stored, model))
    if model is None:
        value_of = lambda stored: stored.get(attribute, _ABSENT)  # noqa: E731
        inner_model = None
    else:
        model_field = model._fields[attribute]  # a schema field the model lacks: fails here
        value_of = lambda stored: _model_value(stored, model_field)  # noqa: E731
        inner_model = _embedded_model(model_field)
    return key, value_of, _serializer(field, inner_model)


def _embedded_model(model_field):
    """The embedded document class of an EmbeddedDocument(List)Field, else None."""
    if isinstance(model_field, EmbeddedDocumentListField):
        return model_field.field.document_type
    if isinstance(model_field, EmbeddedDocumentField):
        return model_field.document_type
    return None


def _serializer(field, model):
    """value -> what `field` serializes it to; `model` the document class of nested values."""
    if isinstance(field, fields.Nested):
        dump = compile_dump(field.schema, model)
        return lambda value: None if value is None else dump(value)
    if isinstance(field, fields.List):
        each = _serializer(field.inner, model)
        return lambda values: None if values is None else [each(value) for value in values]
    return lambda value: field._serialize(value, None, None)
