"""`flask` commands for seeding and administration.

The scheduled jobs (Celery beat's schedule, config.CELERY) are commands too, for hosts without a
worker (PythonAnywhere's scheduled tasks, cron): each runs the beat task itself, in-process.
"""
from datetime import timedelta

import click
from mongoengine import Document

from . import tasks
from .demo_content import demo_portfolio_content
from .extensions import RATE_LIMIT_COLLECTIONS, mongo_db
from .models import User
from .models.audience import ensure_audience_collections
from .models.portfolio import Portfolio
from .schemas.portfolio import PortfolioPatchSchema
from .services import accounts, pdf_cache, portfolios, proofs, visits
from .services.passwords import hash_password

DEMO_EMAIL = "demo@vitrine.dev"
DEMO_PASSWORD = "vitrine-demo-2026"
DEMO_SLUG = "camille-martin"


def seed_demo_user():
    """The demo account, created once (idempotent)."""
    user = User.objects(email=DEMO_EMAIL).first()
    if user is None:
        user = User(email=DEMO_EMAIL, full_name="Camille Martin",
                    password_hash=hash_password(DEMO_PASSWORD)).save()
    # The demo address receives no mail: verified, so the demo can make recruiter links.
    accounts.mark_email_verified(user)
    return user


def seed_demo_portfolio(user):
    """The demo portfolio, every section filled (idempotent)."""
    portfolio = Portfolio.objects(slug=DEMO_SLUG).first()
    if portfolio is None:
        portfolio = portfolios.create(
            user, {"title": "Camille Martin", "slug": DEMO_SLUG, "is_private": False})
        content = PortfolioPatchSchema().load(demo_portfolio_content())
        portfolio = portfolios.write(
            portfolio.id, user, lambda loaded: portfolios.apply_changes(loaded, content),
            reason="import")
    return portfolio


def document_classes():
    """Every concrete MongoEngine document class loaded (the app's models, once create_app ran)."""
    pending, found = list(Document.__subclasses__()), []
    while pending:
        document_class = pending.pop()
        pending.extend(document_class.__subclasses__())
        if not document_class._meta.get("abstract"):
            found.append(document_class)
    return sorted(found, key=lambda document_class: document_class._get_collection_name())


def create_every_index(config):
    """Every collection's indexes and the capped `visits` collection, idempotently; yields what
    it made ready. Indexes that exist are left as they are."""
    for document_class in document_classes():
        document_class.ensure_indexes()
        yield document_class._get_collection_name()
    ensure_audience_collections(config["VISITS_CAPPED_BYTES"])
    yield f"visits (capped, {config['VISITS_CAPPED_BYTES']} bytes) and the audience collections"
    proofs.ensure_indexes()
    yield "proofs (GridFS)"
    pdf_cache.ensure_indexes()
    yield "pdf_cache (GridFS)"
    if config["RATELIMIT_STORAGE_URI"].startswith("mongodb"):
        # The expiry (TTL) indexes the `limits` library's MongoDB storage makes at first use.
        for collection in RATE_LIMIT_COLLECTIONS.values():
            mongo_db()[collection].create_index("expireAt", expireAfterSeconds=0)
            yield collection


def register_commands(app):
    @app.cli.command("seed-demo")
    def seed_demo():
        """Create the demo account and portfolio if they do not exist."""
        portfolio = seed_demo_portfolio(seed_demo_user())
        click.echo(f"demo account: {DEMO_EMAIL} / {DEMO_PASSWORD}")
        click.echo(f"demo portfolio: id {portfolio.id}, slug /p/{portfolio.slug}")

    @app.cli.command("create-indexes")
    def create_indexes():
        """Create every index and the capped `visits` collection (idempotent): for databases
        whose operators do not let the app create them as it goes."""
        for ready in create_every_index(app.config):
            click.echo(f"{ready}: ready")

    @app.cli.command("daily-digests")
    @click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]),
                  help="The UTC day to digest (default: yesterday).")
    def daily_digests(day):
        """Notify each owner of yesterday's views and downloads (beat: daily at 06:00 UTC)."""
        produced = tasks.daily_digests(day.date().isoformat() if day else None)
        click.echo(f"{produced} digests produced")

    @app.cli.command("link-expiry-notices")
    def link_expiry_notices():
        """Warn owners of recruiter links expiring within two days (beat: hourly)."""
        click.echo(f"{tasks.link_expiry_notices()} expiry notices produced")

    @app.cli.command("count-visits")
    def count_visits():
        """Count the visits waiting in the outbox (beat: every minute): those a worker could not
        be asked to count (Redis down), or whose counting stopped half-way."""
        click.echo(f"{visits.count_waiting_visits()} waiting visits processed")

    @app.cli.command("create-visits-collection")
    def create_visits_collection():
        """Create the capped `visits` collection (VISITS_CAPPED_BYTES) and the audience indexes."""
        from .models.audience import ensure_audience_collections
        ensure_audience_collections(app.config["VISITS_CAPPED_BYTES"])
        click.echo(f"visits: capped collection of {app.config['VISITS_CAPPED_BYTES']} bytes "
                   f"and audience indexes ready")

    @app.cli.command("proofs-cleanup")
    @click.option("--dry-run", is_flag=True, help="List the orphans without deleting them.")
    @click.option("--grace-minutes", default=60, show_default=True,
                  help="Leave files younger than this alone (uploads in progress).")
    def proofs_cleanup(dry_run, grace_minutes):
        """Delete proof files no proof refers to, and chunks whose file entry is gone; recount
        the storage quota of accounts idle that long (beat: daily at 04:00 UTC)."""
        if not dry_run:
            files, chunks = tasks.proofs_cleanup(grace_minutes)
            click.echo(f"removed {files} orphan files and the chunks of {chunks} missing files")
            return
        files, chunks = proofs.find_orphans(timedelta(minutes=grace_minutes))
        for file_id in files:
            click.echo(f"orphan file {file_id}")
        for file_id in chunks:
            click.echo(f"orphan chunks of {file_id}")
        click.echo(f"would remove {len(files)} orphan files and the chunks of {len(chunks)} "
                   f"missing files")

    @app.cli.command("proofs-trash-purge")
    def proofs_trash_purge():
        """Delete the proofs trashed more than PROOF_TRASH_DAYS ago, with their files (beat:
        daily at 03:30 UTC)."""
        click.echo(f"purged {proofs.purge_expired_trash()} proofs from the trash")
