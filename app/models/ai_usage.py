"""What the AI assistant counts: one document per user per UTC day.

The requests sent to the provider (the daily quota counts them) and the tokens it reported
spending, for the operator's statistics. Never the prompts, the answers nor the portfolio's text.
Counters change by atomic `$inc` upserts (services.ai.quota), never by read-modify-write.
"""
from mongoengine import DateTimeField, Document, IntField, ObjectIdField, StringField


def usage_id(user_id, day):
    """`<user hex>:<YYYY-MM-DD>`: one user's days sort together on the primary index."""
    return f"{user_id}:{day.isoformat()}"


class AIUsage(Document):
    id = StringField(primary_key=True)
    user = ObjectIdField(required=True)
    day = StringField(required=True)  # YYYY-MM-DD, UTC
    requests = IntField(default=0)
    prompt_tokens = IntField(default=0)
    completion_tokens = IntField(default=0)
    updated_at = DateTimeField()

    meta = {"collection": "ai_usage", "indexes": ["user", "day"]}
