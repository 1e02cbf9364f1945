"""Every interface string exists in all four languages.

Catalogs must be complete (no empty or fuzzy entry), compiled (.mo matches .po), and cover
every string in the source: where gettext's tools are installed (CI installs them), the
strings are extracted afresh into a copy of the project and compared with the catalogs.
"""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALES = ["zh_Hans", "zh_Hant", "ru", "en"]
ROOT = Path(settings.BASE_DIR)


def _catalog(locale: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete(locale: str) -> None:
    catalog = _catalog(locale)
    missing = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert not missing, f"{locale}: {len(missing)} untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{locale}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalog_matches_source(locale: str) -> None:
    with open(ROOT / "locale" / locale / "LC_MESSAGES" / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    source = {}
    for entry in _catalog(locale).translated_entries():
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            source[(key, 0)] = entry.msgstr_plural[0]
        else:
            source[key] = entry.msgstr
    built = {k: v for k, v in compiled._catalog.items() if k != ""}  # type: ignore[attr-defined]
    assert {k: v for k, v in built.items() if not isinstance(k, tuple) or k[1] == 0} == source, (
        f"{locale}: run `make messages` (the .mo is stale)"
    )


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="gettext tools not installed (CI installs them)"
)
def test_every_source_string_is_in_the_catalogs(tmp_path: Path) -> None:
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ["aftersales", "config", "templates", "manage.py"]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "tests")
            )
        else:
            shutil.copy(source, copy / name)
    (copy / "locale" / "en").mkdir(parents=True)
    env = {
        "PATH": "/usr/bin:/bin",
        "AFTERSALES_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-location", "-v0"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = {
        (e.msgctxt, e.msgid)
        for e in polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po"))
        if e.msgid
    }
    for locale in LOCALES:
        known = {(e.msgctxt, e.msgid) for e in _catalog(locale)}
        new = sorted(str(m) for _, m in extracted - known)
        assert not new, (
            f"{locale}: strings missing from the catalog, run `make messages`: {new[:8]}"
        )
