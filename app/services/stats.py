"""Statistics of a portfolio, read from the daily rollups only.

One range query on the rollups' `_id` (a portfolio's days sort together) fetches at most 2×N
small documents for N days, whatever the number of visits. Days are UTC days.
"""
import json
from collections import Counter
from datetime import timedelta

from ..extensions import mongo_db
from ..models.audience import PUBLIC_SOURCE, ROLLUPS, VISIT_KINDS, rollup_id, utc_today
from ..models.portfolio import Portfolio
from ..models.recruiter_link import RecruiterLink
from . import accounts
from .visits import UNKNOWN_COUNTRY, referrer_from_key

DEFAULT_DAYS = 30
MAX_DAYS = 365
TOP_REFERRERS = 10
PUBLIC_LABEL = "Public page"
DELETED_LINK_LABEL = "Deleted recruiter link"
# Only the counters, not `applied` (the ids of the visits being counted, for idempotency).
COUNTER_FIELDS = {"day": 1, "views": 1, "downloads": 1, "unique_visitors": 1, "countries": 1,
                  "sources": 1, "kinds": 1, "referrers": 1}
DAY_COUNTERS = ("views", "downloads", "unique_visitors")


def _rollups(portfolio_id, first_day, last_day, projection=None):
    return mongo_db()[ROLLUPS].find(
        {"_id": {"$gte": rollup_id(portfolio_id, first_day.isoformat()),
                 "$lte": rollup_id(portfolio_id, last_day.isoformat())}},
        projection or COUNTER_FIELDS)


def portfolio_stats(portfolio, days=DEFAULT_DAYS, today=None):
    """The statistics of the last `days` days (today included) and the trend against the
    `days` before them."""
    today = today or utc_today()
    first_day = today - timedelta(days=days - 1)
    previous_first_day = first_day - timedelta(days=days)
    previous_views = 0
    by_day = {}
    countries, sources, kinds, referrers = Counter(), Counter(), Counter(), Counter()
    for rollup in _rollups(portfolio.id, previous_first_day, today):
        if rollup["day"] < first_day.isoformat():
            previous_views += rollup.get("views", 0)
            continue
        by_day[rollup["day"]] = rollup
        countries.update(rollup.get("countries", {}))
        sources.update(rollup.get("sources", {}))
        kinds.update(rollup.get("kinds", {}))
        referrers.update(rollup.get("referrers", {}))

    days_list = []
    for offset in range(days):
        day = (first_day + timedelta(days=offset)).isoformat()
        rollup = by_day.get(day, {})
        days_list.append({"date": day, **{name: rollup.get(name, 0) for name in DAY_COUNTERS}})
    total_views = sum(day["views"] for day in days_list)
    return {
        "days": days,
        "total_views": total_views,
        "downloads": sum(day["downloads"] for day in days_list),
        "unique_visitors": sum(day["unique_visitors"] for day in days_list),
        "by_day": days_list,
        "by_country": [{"country": None if code == UNKNOWN_COUNTRY else code, "views": views}
                       for code, views in _by_views(countries)],
        "by_source": _by_source(sources),
        "by_kind": [{"kind": kind, "views": kinds.get(kind, 0)} for kind in VISIT_KINDS],
        "top_referrers": [{"host": referrer_from_key(key), "views": views}
                          for key, views in _by_views(referrers)[:TOP_REFERRERS]],
        "trend": {"previous_views": previous_views,
                  "change_percent": _change_percent(previous_views, total_views)},
    }


def _by_views(counter):
    """Largest first; ties by name, so the order is stable."""
    return sorted(counter.items(), key=lambda entry: (-entry[1], entry[0]))


def _by_source(sources):
    link_ids = [source for source in sources if source != PUBLIC_SOURCE]
    labels = {str(link.id): link.label
              for link in RecruiterLink.objects(id__in=link_ids).only("label")}
    return [{"source": source,
             "label": PUBLIC_LABEL if source == PUBLIC_SOURCE
             else labels.get(source, DELETED_LINK_LABEL),
             "views": views}
            for source, views in _by_views(sources)]


def _change_percent(previous, current):
    """Percentage change against the previous period; None when there was nothing before."""
    if not previous:
        return None
    return round((current - previous) * 100 / previous, 1)


def recruiter_link_views(links):
    """Counted page views and downloads of each link (no bots, owner or 30-minute repeats) with
    the first and last times it was used: `{link id: {"views", "downloads", "first_view_at",
    "last_view_at"}}`. The links are one portfolio's; reads its rollups of the days since the
    oldest link was created."""
    links = list(links)
    result = {str(link.id): {"views": 0, "downloads": 0, "first_view_at": None,
                             "last_view_at": None} for link in links}
    if not links:
        return result
    portfolio_id = links[0].portfolio
    first_day = min(link.created_at for link in links).date()
    projection = {"sources": 1, "source_downloads": 1, "link_first_access": 1,
                  "link_last_access": 1}
    for rollup in _rollups(portfolio_id, first_day, utc_today(), projection):
        for link_id, entry in result.items():
            downloads = rollup.get("source_downloads", {}).get(link_id, 0)
            entry["views"] += rollup.get("sources", {}).get(link_id, 0) - downloads
            entry["downloads"] += downloads
            first = rollup.get("link_first_access", {}).get(link_id)
            last = rollup.get("link_last_access", {}).get(link_id)
            if first and (entry["first_view_at"] is None or first < entry["first_view_at"]):
                entry["first_view_at"] = first
            if last and (entry["last_view_at"] is None or last > entry["last_view_at"]):
                entry["last_view_at"] = last
    return result


def attach_link_views(links):
    """Set `views`, `first_view_at` and `last_view_at` on each link (for the links list)."""
    views = recruiter_link_views(links)
    for link in links:
        for name, value in views[str(link.id)].items():
            setattr(link, name, value)
    return links


def export_daily_visits(user, archive):
    """Each portfolio's daily counts (the rollups' counters) into the account ZIP."""
    for portfolio in Portfolio.objects(owner=user.id).only("id", "slug"):
        days = []
        for rollup in mongo_db()[ROLLUPS].find({"portfolio": portfolio.id},
                                               {**COUNTER_FIELDS, "_id": 0}).sort("day", 1):
            rollup["referrers"] = {referrer_from_key(key): views
                                   for key, views in rollup.get("referrers", {}).items()}
            days.append(rollup)
        archive.writestr(f"portfolios/{portfolio.slug}/daily_visits.json",
                         json.dumps(days, indent=2, ensure_ascii=False))


accounts.ACCOUNT_EXPORTERS.append(export_daily_visits)
