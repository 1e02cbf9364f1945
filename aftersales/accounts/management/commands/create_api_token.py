from django.core.management.base import BaseCommand, CommandError

from aftersales.accounts.models import User
from aftersales.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Issue a personal API token for a user and print it (it is stored only as a hash)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args, username: str, name: str, **options) -> None:  # type: ignore[no-untyped-def]
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"no active user {username!r}") from exc
        token, key = api_token_create(user=user, name=name)
        self.stderr.write(f"Token {token.prefix}… for {user.username}; it will not be shown again:")
        self.stdout.write(key)
