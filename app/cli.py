"""`flask` commands for seeding and administration."""
from datetime import timedelta

import click

from .demo_content import demo_portfolio_content
from .models import User
from .models.portfolio import Portfolio
from .schemas.portfolio import PortfolioPatchSchema
from .services import portfolios, proofs
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


def register_commands(app):
    @app.cli.command("seed-demo")
    def seed_demo():
        """Create the demo account and portfolio if they do not exist."""
        portfolio = seed_demo_portfolio(seed_demo_user())
        click.echo(f"demo account: {DEMO_EMAIL} / {DEMO_PASSWORD}")
        click.echo(f"demo portfolio: id {portfolio.id}, slug /p/{portfolio.slug}")

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
        """Delete proof files no proof refers to, and chunks whose file entry is gone."""
        files, chunks = proofs.find_orphans(timedelta(minutes=grace_minutes))
        for file_id in files:
            click.echo(f"orphan file {file_id}")
        for file_id in chunks:
            click.echo(f"orphan chunks of {file_id}")
        if not dry_run:
            proofs.remove_orphans(files, chunks)
        verb = "would remove" if dry_run else "removed"
        click.echo(f"{verb} {len(files)} orphan files and the chunks of {len(chunks)} "
                   f"missing files")

    @app.cli.command("proofs-trash-purge")
    def proofs_trash_purge():
        """Delete the proofs trashed more than PROOF_TRASH_DAYS ago, with their files."""
        click.echo(f"purged {proofs.purge_expired_trash()} proofs from the trash")
