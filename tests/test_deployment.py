"""Production settings pass Django's deployment checks, and refuse to start when incomplete."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "AFTERSALES_ENV": "production",
    "SECRET_KEY": "x" * 20 + "production-secret-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "service.example.com",
    "DATABASE_URL": "sqlite:///:memory:",
}


def _manage(*args: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    unwanted = {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in unwanted}
    full_env.update(env, AFTERSALES_VAR_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path) -> None:
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_refuses_debug(tmp_path) -> None:
    result = _manage("check", env={**PRODUCTION_ENV, "DEBUG": "1"}, tmp_path=tmp_path)
    assert result.returncode != 0 and "DEBUG" in result.stderr


def test_security_headers_on_every_page(client, db) -> None:
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_forms_are_csrf_protected(db) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
