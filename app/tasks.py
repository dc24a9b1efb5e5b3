"""Celery tasks. They take ids and plain data (never documents) and run in the app context
(`celery_init_app`). Each is idempotent, so retries and redeliveries (`acks_late`) are safe."""
from datetime import date, timedelta

from celery import shared_task
from pymongo.errors import AutoReconnect

from .models.audience import utc_today
from .services import mail, notifications, proofs, visits

# Uploads in progress are younger than this: their chunks are not orphans yet.
ORPHAN_GRACE_MINUTES = 60
# Visits one counting task processes before it queues its continuation, so that the tasks queued
# meanwhile (notices, digests) are not held up behind a long backlog.
VISITS_PER_TASK = 500
# MongoDB briefly unreachable (AutoReconnect covers server-selection and network timeouts):
# try again after 1, 2, 4... seconds, up to 5 minutes apart.
RETRY_ON_MONGO_OUTAGE = {"autoretry_for": (AutoReconnect,), "retry_backoff": True,
                         "retry_backoff_max": 300, "max_retries": 10, "acks_late": True}


@shared_task(name=visits.PROCESS_VISIT_TASK, **RETRY_ON_MONGO_OUTAGE)
def process_visit(record):
    """Store and count one visit (`visits.visit_record`) the request could not store itself."""
    return visits.process_visit(record)


@shared_task(name=visits.COUNT_VISITS_TASK, bind=True, **RETRY_ON_MONGO_OUTAGE)
def count_visits(self):
    """Count the visits waiting in the outbox: scheduled by the requests that stored them, and
    every minute by beat as a sweep (for the visits whose request could not reach Redis, and
    those of a worker that died holding them)."""
    processed = visits.count_waiting_visits(VISITS_PER_TASK)
    if processed == VISITS_PER_TASK:
        self.apply_async()  # more may be waiting
    return processed


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


# The SMTP server unreachable or answering "try again later": again after at most 1, 2, 4...
# seconds (Celery's jitter draws each wait below that), at most 5 minutes apart, 30 times: an
# outage of an hour or two.
@shared_task(name=mail.SEND_MAIL_TASK, **{**RETRY_ON_MONGO_OUTAGE, "max_retries": 30,
                                          "autoretry_for": (mail.MailServerUnavailable,)})
def send_mail(message):
    """Deliver one mail composed by `mail.compose`."""
    mail.deliver(message)
