"""Celery tasks. They take ids and plain data (never documents) and run in the app context
(`celery_init_app`). Each is idempotent, so retries and redeliveries (`acks_late`) are safe."""
from datetime import date, timedelta

from celery import shared_task
from pymongo.errors import AutoReconnect

from .models.audience import utc_today
from .services import notifications, proofs, visits

# MongoDB briefly unreachable (AutoReconnect covers server-selection and network timeouts):
# try again after 1, 2, 4... seconds, up to 5 minutes apart.
# Uploads in progress are younger than this: their chunks are not orphans yet.
ORPHAN_GRACE_MINUTES = 60
RETRY_ON_MONGO_OUTAGE = {"autoretry_for": (AutoReconnect,), "retry_backoff": True,
                         "retry_backoff_max": 300, "max_retries": 10, "acks_late": True}


@shared_task(name=visits.PROCESS_VISIT_TASK, **RETRY_ON_MONGO_OUTAGE)
def process_visit(payload):
    """Geolocate, store and count one visit (`payload` from `visits.visit_payload`)."""
    return visits.process_visit(payload)


@shared_task(name="vitrine.daily_digests", **RETRY_ON_MONGO_OUTAGE)
def daily_digests(day=None):
    """Yesterday's digests (or those of `day`, "YYYY-MM-DD")."""
    target = date.fromisoformat(day) if day else utc_today() - timedelta(days=1)
    return notifications.produce_daily_digests(target)


@shared_task(name="vitrine.link_expiry_notices", **RETRY_ON_MONGO_OUTAGE)
def link_expiry_notices():
    return notifications.produce_expiry_notices()


@shared_task(name="vitrine.proofs_cleanup", **RETRY_ON_MONGO_OUTAGE)
def proofs_cleanup(grace_minutes=ORPHAN_GRACE_MINUTES):
    """Files and chunks no proof refers to, left by a process that died mid-upload (mongod or
    the app killed): `(files removed, chunk groups removed)`."""
    grace = timedelta(minutes=grace_minutes)
    files, chunks = proofs.find_orphans(grace)
    proofs.remove_orphans(files, chunks)
    # What the dead upload had reserved in its owner's quota comes back too.
    proofs.recount_usage(grace)
    return len(files), len(chunks)


@shared_task(name="vitrine.purge_proof_trash", **RETRY_ON_MONGO_OUTAGE)
def purge_proof_trash():
    """Proofs trashed more than PROOF_TRASH_DAYS ago, files included."""
    return proofs.purge_expired_trash()
