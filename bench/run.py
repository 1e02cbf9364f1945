"""Entry point: `.venv/bin/python bench/run.py --scale small` (what `make bench` runs)."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, Python puts bench/ itself first on sys.path, where our module names could
# shadow others'; import the bench as the package `bench` from the project root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from bench.cli import main  # noqa: E402 - needs the project root on sys.path first

if __name__ == "__main__":
    sys.exit(main())
