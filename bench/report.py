"""Results: bench/results/<scale>-<timestamp>.json (everything) and latest-<scale>.md (the
table, findings, growth across scales, plans). SQLite runs carry "-sqlite" in both names so
they never overwrite the PostgreSQL figures."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = ["workload", "our figure", "physical limit", "ratio", "queries/request", "plan notes"]


def _duration(ms: float | None) -> str:
    if ms is None or math.isnan(ms):
        return "—"
    if ms < 1:
        return f"{ms * 1000:.0f} µs"
    if ms < 100:
        return f"{ms:.2f} ms"
    return f"{ms:.0f} ms"


def figure(timing: dict[str, Any] | None, kind: str, unit: str, errors: int | None = None) -> str:
    if not timing:
        return "—"
    p50, p95 = _duration(timing["p50_ms"]), _duration(timing["p95_ms"])
    if kind == "throughput":
        text = f"{timing['per_s']:,.0f} {unit} (p50 {p50}, p95 {p95}"
        if errors is not None and unit == "req/s":
            text += f", {errors} errors"
        return text + ")"
    return f"p50 {p50}, p95 {p95}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rows_of(run: dict[str, Any]) -> list[list[str]]:
    rows = []
    for r in run["results"]:
        name = f"{r['key']}: {r['title']}"
        if r["status"] != "ok":
            rows.append([name, r["status"], "—", "—", "—", ""])
            continue
        ours = figure(
            r["ours"], r["kind"], r["unit"], r["errors"] if r["kind"] == "throughput" else None
        )
        if r["limit"]:
            limit = figure(r["limit"], r["kind"], r["unit"])
            if r.get("limit_label"):
                limit += f" [{r['limit_label']}]"
        else:
            limit = r.get("limit_label") or "—"
        ratio = f"{r['ratio']:.1f}×" if r.get("ratio") else "—"
        queries = "—" if r["queries"] is None else f"{r['queries']:g}"
        plan = r["plan"]["notes"] if r.get("plan") else ""
        notes = [n for n in r["notes"] if not n.startswith("+1 UPDATE")]
        if notes:
            plan = "; ".join([plan, *notes]) if plan else "; ".join(notes)
        rows.append([name, ours, limit, ratio, queries, plan])
    return rows


def markdown_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(rows: list[list[str]], width: int = 60) -> str:
    """The same table for a terminal: long cells are cut (the Markdown file has them whole)."""
    cut = [[c if len(c) <= width else c[: width - 1] + "…" for c in row] for row in rows]
    widths = [max(len(r[i]) for r in [COLUMNS, *cut]) for i in range(len(COLUMNS))]
    line = "  ".join(h.ljust(w) for h, w in zip(COLUMNS, widths, strict=True))
    out = [line, "-" * len(line)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cut]
    return "\n".join(out)


def headline(result: dict[str, Any]) -> float | None:
    """The number growth is tracked by: p50 for latency, rate for throughput."""
    if result["status"] != "ok" or not result["ours"]:
        return None
    if result["kind"] == "throughput":
        return float(result["ours"]["per_s"])
    return float(result["ours"]["p50_ms"])


def latest_runs(vendor: str) -> dict[str, dict[str, Any]]:
    """The newest saved run of each scale on the same kind of database."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(RESULTS.glob("*.json")):
        try:
            run = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if run.get("database", {}).get("vendor") != vendor or "scale" not in run:
            continue
        if run.get("partial"):
            continue  # --only runs do not stand for the scale
        scale = run["scale"]["name"]
        if scale not in found or run["finished_at"] > found[scale]["finished_at"]:
            found[scale] = run
    return found


def growth_table(vendor: str, order: list[str]) -> str:
    runs = latest_runs(vendor)
    scales = [s for s in order if s in runs]
    if len(scales) < 2:
        return ""
    keys: list[str] = []
    for scale in scales:
        for r in runs[scale]["results"]:
            if r["key"] not in keys:
                keys.append(r["key"])
    header = [
        "workload",
        *[f"{s} ({runs[s]['scale']['rows'].get('users', 0):,} users)" for s in scales],
        f"{scales[-1]} / {scales[0]}",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for key in keys:
        values: list[float | None] = []
        kind = "latency"
        for scale in scales:
            match = [r for r in runs[scale]["results"] if r["key"] == key]
            values.append(headline(match[0]) if match else None)
            if match:
                kind = match[0]["kind"]
        cells = []
        for v in values:
            if v is None:
                cells.append("—")
            elif kind == "throughput":
                cells.append(f"{v:,.0f}/s")
            else:
                cells.append(f"p50 {_duration(v)}")
        first, last = values[0], values[-1]
        change = f"{last / first:.2f}×" if first and last else "—"
        lines.append("| " + " | ".join([key, *cells, change]) + " |")
    return "\n".join(lines)


def write(run: dict[str, Any], scale_order: list[str]) -> tuple[Path, Path, str]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    vendor = run["database"]["vendor"]
    suffix = "" if vendor == "postgresql" else f"-{vendor}"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    json_path = RESULTS / f"{run['scale']['name']}{suffix}-{stamp}.json"
    json_path.write_text(json.dumps(run, indent=2, default=str, ensure_ascii=False) + "\n", "utf-8")
    rows = rows_of(run)
    md = markdown(run, rows, growth_table(vendor, scale_order))
    if run.get("partial"):
        suffix += "-partial"
    md_path = RESULTS / f"latest-{run['scale']['name']}{suffix}.md"
    md_path.write_text(md, encoding="utf-8")
    return json_path, md_path, text_table(rows)


def markdown(run: dict[str, Any], rows: list[list[str]], growth: str) -> str:
    db = run["database"]
    scale = run["scale"]
    out = [
        f"# Benchmark: scale `{scale['name']}` on {db['server']}",
        "",
        f"- finished {run['finished_at']}, run time {run['run_seconds']:.0f} s; data "
        + (
            f"reused (built {run['load']['built_at']} in {run['load']['seconds']:.0f} s)"
            if run["load"]["reused"] and run["load"].get("built_at")
            else "reused"
            if run["load"]["reused"]
            else f"built now in {run['load']['seconds']:.0f} s"
        ),
        f"- database `{db['name']}` ({db['vendor']}), collation {db.get('collation') or 'n/a'}",
        f"- rows: {', '.join(f'{t} {n:,}' for t, n in run['rows'].items())}",
        f"- machine: {run['machine']['cpus']} CPUs, Python {run['machine']['python']}, "
        f"Django {run['machine']['django']}; load generator and servers share the machine; "
        f"load average {run['machine']['load_before']} before, {run['machine']['load_after']} "
        "after"
        + (
            " (BUSY: other work was running, figures are noisy)"
            if run["machine"].get("busy")
            else ""
        ),
        "- ratio: how many times the physical limit is better than our figure "
        "(p50 latency, or requests/calls per second)",
        "",
        markdown_table(rows),
        "",
        "## Findings",
        "",
    ]
    findings = run.get("findings") or []
    out += [f"- {f}" for f in findings] or ["- none"]
    if growth:
        out += ["", "## Growth across scales (newest run of each)", "", growth]
    out += ["", "## Plans of the main queries", ""]
    for r in run["results"]:
        plan = r.get("plan")
        if not plan:
            continue
        out += [f"### {r['key']}", "", "```sql", " ".join(plan["sql"].split()), "```", ""]
        out += ["```", plan["text"] or plan.get("error", ""), "```", ""]
    return "\n".join(out) + "\n"
