"""The daily quota of AI requests and the token counts (models.ai_usage), per user per UTC day."""
import json
import math
from datetime import datetime, timedelta

from flask import current_app
from pymongo.errors import DuplicateKeyError

from ...models.ai_usage import AIUsage, usage_id
from ...models.user import utcnow


def reserve_request(user_id):
    """The quota rule: a user sends at most AI_DAILY_REQUESTS_PER_USER requests to the provider
    per UTC day, answered or not. Counts one more and returns True while under it; beyond it
    returns False and counts nothing. One conditional `$inc`, atomic with the user's other
    requests: however many race, no more than the quota get through."""
    limit = current_app.config["AI_DAILY_REQUESTS_PER_USER"]
    if limit <= 0:
        return False
    now = utcnow()
    key = usage_id(user_id, now.date())
    under_quota = {"_id": key, "requests": {"$lt": limit}}
    count = {"$inc": {"requests": 1}, "$set": {"updated_at": now}}
    usage = AIUsage._get_collection()
    try:
        usage.update_one(under_quota, {**count, "$setOnInsert": {
            "user": user_id, "day": now.date().isoformat()}}, upsert=True)
        return True
    except DuplicateKeyError:
        # The day's counter exists: at the quota, or created by a request racing this one.
        return usage.update_one(under_quota, count).matched_count == 1


def seconds_until_reset():
    """Seconds until the next UTC midnight, when the day's quota starts again."""
    now = utcnow()
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time())
    return max(1, math.ceil((midnight - now).total_seconds()))


def record_tokens(user_id, prompt_tokens, completion_tokens):
    """Add the tokens the provider reported for one answer to the user's day."""
    now = utcnow()
    AIUsage._get_collection().update_one(
        {"_id": usage_id(user_id, now.date())},
        {"$inc": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
         "$set": {"updated_at": now},
         # An answer that came after midnight starts the new day: its requests count from 0
         # (`reserve_request` compares them).
         "$setOnInsert": {"user": user_id, "day": now.date().isoformat(), "requests": 0}},
        upsert=True)


def forget_usage(user):
    """ACCOUNT_CLEANUPS: the deleted account's counters."""
    AIUsage.objects(user=user.id).delete()


def export_usage(user, archive):
    """ACCOUNT_EXPORTERS: the account's daily counts, oldest first."""
    days = [{"day": usage.day, "requests": usage.requests, "prompt_tokens": usage.prompt_tokens,
             "completion_tokens": usage.completion_tokens}
            for usage in AIUsage.objects(user=user.id).order_by("day")]
    archive.writestr("ai_usage.json", json.dumps(days, indent=2))
