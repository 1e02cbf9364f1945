#!/usr/bin/env bash
# Finds (or obtains) uv and a Python >= 3.12, then builds .venv from uv.lock.
# Never uses a bare `python3 -m venv` for the project environment: uv does.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

find_uv() {
    if command -v uv >/dev/null 2>&1 && uv --version >/dev/null 2>&1; then command -v uv; return; fi
    for c in "$HOME/.local/bin/uv" "$HOME/.cargo/bin/uv" ".tools/bin/uv"; do
        [ -x "$c" ] && "$c" --version >/dev/null 2>&1 && { echo "$c"; return; }
    done
    return 1
}

UV=$(find_uv || true)
if [ -z "$UV" ]; then
    say "uv not found: installing it into .tools/ from PyPI"
    boot=""
    for p in python3 python; do
        command -v "$p" >/dev/null 2>&1 && "$p" -c 'import sys; assert sys.version_info >= (3, 8)' 2>/dev/null && { boot=$p; break; }
    done
    [ -n "$boot" ] || die "no python3 found to install uv with; install uv (https://docs.astral.sh/uv/) and retry"
    "$boot" -m pip install --quiet --target .tools/lib uv \
        || die "could not install uv from PyPI; install uv yourself and retry"
    mkdir -p .tools/bin && ln -sf "../lib/bin/uv" .tools/bin/uv
    UV=.tools/bin/uv
    "$UV" --version >/dev/null 2>&1 || die "uv was installed but does not run"
fi

# A Python >= 3.12: the one already chosen, one on PATH, one managed by pyenv or uv,
# or (where the network allows) one that uv downloads.
python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
find_python() {
    [ -n "${AFTERSALES_PYTHON:-}" ] && python_ok "$AFTERSALES_PYTHON" && { echo "$AFTERSALES_PYTHON"; return; }
    for name in python3.13 python3.12 python3.14 python3; do
        command -v "$name" >/dev/null 2>&1 && python_ok "$name" && { command -v "$name"; return; }
    done
    for c in $(ls -d "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9] 2>/dev/null | sort -rV); do
        [ -x "$c" ] && python_ok "$c" && { echo "$c"; return; }
    done
    found=$("$UV" python find '>=3.12' 2>/dev/null || true)
    [ -n "$found" ] && python_ok "$found" && { echo "$found"; return; }
    return 1
}

PY=$(find_python || true)
if [ -z "$PY" ]; then
    say "no Python >= 3.12 on this machine: asking uv to download one"
    "$UV" python install 3.13 || die "no Python >= 3.12 found and uv could not download one. Install Python 3.12 or newer (or set AFTERSALES_PYTHON=/path/to/python3.13) and retry."
    PY=$("$UV" python find '>=3.12')
fi

if [ ! -x .venv/bin/python ] || ! python_ok .venv/bin/python; then
    say "creating .venv with $PY"
    UV_PYTHON_DOWNLOADS=never "$UV" venv --quiet --python "$PY" .venv
fi
say "installing locked dependencies"
# --locked: install exactly uv.lock, and stop if pyproject.toml has moved on without it.
UV_PYTHON_DOWNLOADS=never "$UV" sync --quiet --locked --python .venv/bin/python \
    || die "uv.lock does not match pyproject.toml: run '$UV lock' and commit uv.lock"
