# Fixtures in tests/fixtures.py serve the app test packages too.
pytest_plugins = ["tests.fixtures"]
