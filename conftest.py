# Fixtures in tests/fixtures.py serve the app test packages too.
pytest_plugins = ["tests.fixtures"]


def pytest_configure(config) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings

    # Tests make many users; PBKDF2's deliberate slowness would dominate the suite's run time.
    # The production hasher is exercised by the sign-in tests all the same (same API).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
