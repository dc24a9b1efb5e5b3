"""`flask` commands for seeding and administration."""
import click

from .demo_content import demo_portfolio_content
from .models import User
from .models.portfolio import Portfolio
from .schemas.portfolio import PortfolioPatchSchema
from .services import portfolios
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
        portfolio = portfolios.create(user, {"title": "Camille Martin", "slug": DEMO_SLUG})
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
