"""Statistics and notifications out, and the stats query in."""
from marshmallow import Schema, fields, validate

from ..services.stats import DEFAULT_DAYS, MAX_DAYS
from .common import ObjectIdString, StrictSchema, UTCDateTime


class StatsQuerySchema(StrictSchema):
    days = fields.Integer(load_default=DEFAULT_DAYS, validate=validate.Range(min=1, max=MAX_DAYS),
                          metadata={"description": "Days up to today (UTC) included."})


class DayStatsSchema(Schema):
    date = fields.String(metadata={"format": "date"})
    views = fields.Integer(metadata={"description": "Page views."})
    downloads = fields.Integer(metadata={"description": "PDF and proof file downloads."})
    unique_visitors = fields.Integer()


class CountryStatsSchema(Schema):
    country = fields.String(allow_none=True,
                            metadata={"description": "ISO 3166 code; null when not located."})
    views = fields.Integer()


class SourceStatsSchema(Schema):
    source = fields.String(metadata={"description": '"public" or a recruiter link id.'})
    label = fields.String()
    views = fields.Integer()


class KindStatsSchema(Schema):
    kind = fields.String(metadata={"enum": ["page", "pdf", "proof"]})
    views = fields.Integer()


class ReferrerStatsSchema(Schema):
    host = fields.String()
    views = fields.Integer()


class TrendSchema(Schema):
    previous_views = fields.Integer(metadata={"description": "Views in the period before."})
    change_percent = fields.Float(allow_none=True,
                                  metadata={"description": "null when the period before had none."})


class StatsSchema(Schema):
    """Counted views and downloads: no bots, no link previews, not the owner, not 30-minute
    repeats of the same thing (the page, the PDF, one proof file) through the same source.
    `by_country`, `by_source` and `top_referrers` count views and downloads together."""
    days = fields.Integer()
    total_views = fields.Integer(metadata={"description": "Page views."})
    downloads = fields.Integer(metadata={"description": "PDF and proof file downloads, counted "
                                                        "apart from page views."})
    unique_visitors = fields.Integer(metadata={"description": "Sum of each day's unique visitors."})
    by_day = fields.List(fields.Nested(DayStatsSchema))
    by_country = fields.List(fields.Nested(CountryStatsSchema))
    by_source = fields.List(fields.Nested(SourceStatsSchema))
    by_kind = fields.List(fields.Nested(KindStatsSchema))
    top_referrers = fields.List(fields.Nested(ReferrerStatsSchema))
    trend = fields.Nested(TrendSchema)


class NotificationSchema(Schema):
    id = ObjectIdString()
    kind = fields.String(metadata={"enum": ["recruiter_link_opened", "daily_digest",
                                            "recruiter_link_expiring"]})
    message = fields.String(metadata={
        "description": "The text in the account's language (its `language` setting; without "
                       "one, the request's: the app's language cookie, else Accept-Language, "
                       "else English), made from `kind` and `data` when read; a notification "
                       "stored before texts were translated keeps its English text."})
    portfolio_id = ObjectIdString(attribute="portfolio", allow_none=True)
    data = fields.Dict()
    read = fields.Boolean()
    read_at = UTCDateTime(allow_none=True)
    created_at = UTCDateTime()
