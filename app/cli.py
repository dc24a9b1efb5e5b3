"""`flask` commands for seeding and administration."""
import click

from .models import User
from .services.passwords import hash_password

DEMO_EMAIL = "demo@vitrine.dev"
DEMO_PASSWORD = "vitrine-demo-2026"


def seed_demo_user():
    """The demo account, created once (idempotent)."""
    user = User.objects(email=DEMO_EMAIL).first()
    if user is None:
        user = User(email=DEMO_EMAIL, full_name="Camille Martin",
                    password_hash=hash_password(DEMO_PASSWORD)).save()
    return user


def register_commands(app):
    @app.cli.command("seed-demo")
    def seed_demo():
        """Create the demo account and portfolio if they do not exist."""
        seed_demo_user()
        click.echo(f"demo account: {DEMO_EMAIL} / {DEMO_PASSWORD}")
