# Fixtures in tests/fixtures.py serve the app test packages too.
pytest_plugins = ["tests.fixtures", "tests.smtp"]


def pytest_configure(config) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings

    # Tests make many users; PBKDF2's deliberate slowness would dominate the suite's run time.
    # The production hasher is exercised by the sign-in tests all the same (same API).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _hypothesis_profiles() -> None:
    import os

    from hypothesis import settings as hypothesis_settings

    # CI runs the same examples every time (a red build must be reproducible); locally the
    # search stays random to keep finding new cases.
    hypothesis_settings.register_profile("ci", derandomize=True, database=None)
    hypothesis_settings.register_profile("dev", database=None)
    hypothesis_settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


_hypothesis_profiles()
