"""Query plans: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite, reduced
to what the report needs: how each table is read (Seq Scan / Index Scan / Index Only Scan /
Bitmap Index Scan, and with which index and condition) and whether a Sort appears."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.database import RawConnection, sqlite_sql
from bench.measure import Statement

INDEX_NODES = {"Index Scan", "Index Only Scan", "Bitmap Index Scan"}


@dataclass
class Scan:
    table: str
    method: str  # "Seq Scan", "Index Scan", ... or SQLite's SCAN/SEARCH
    index: str = ""
    condition: str = ""  # index condition (what the index narrows to)
    filter: str = ""  # rows read then thrown away
    rows: int | None = None  # rows the node produced (EXPLAIN ANALYZE: actual rows × loops)

    @property
    def indexed(self) -> bool:
        return self.method in INDEX_NODES or self.method.startswith("SEARCH") or bool(self.index)

    @property
    def narrowed(self) -> bool:
        """An index condition limits the rows read (not merely a walk in index order)."""
        return bool(self.condition) or self.method.startswith("SEARCH")

    def describe(self) -> str:
        how = self.method + (f" {self.index}" if self.index else "")
        if self.condition and self.method.startswith("SEARCH"):
            how += f" {self.condition}"
        read = f", {self.rows} rows read" if self.rows is not None else ""
        return f"{self.table}: {how}{read}"


@dataclass
class Plan:
    vendor: str
    sql: str
    text: str
    scans: list[Scan] = field(default_factory=list)
    has_sort: bool = False
    sort_keys: str = ""
    sort_rows: int | None = None  # rows fed into the (largest) sort, under EXPLAIN ANALYZE
    execution_ms: float | None = None
    error: str = ""

    @property
    def seq_scans(self) -> list[Scan]:
        return [s for s in self.scans if not s.indexed]

    def notes(self) -> str:
        if self.error:
            return f"EXPLAIN failed: {self.error}"
        parts = [s.describe() for s in self.scans]
        parts.append(f"Sort: {'yes (' + self.sort_keys + ')' if self.has_sort else 'no'}")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["notes"] = self.notes()
        return data


def explain(raw: RawConnection, statement: Statement, *, analyze: bool = True) -> Plan:
    try:
        if raw.vendor == "postgresql":
            return _explain_pg(raw, statement, analyze=analyze and statement.is_select)
        return _explain_sqlite(raw, statement)
    except Exception as exc:  # noqa: BLE001 - a failed EXPLAIN is reported, not fatal
        return Plan(raw.vendor, statement.sql, "", error=f"{type(exc).__name__}: {exc}")


def _explain_pg(raw: RawConnection, statement: Statement, *, analyze: bool) -> Plan:
    options = "ANALYZE, BUFFERS, " if analyze else ""
    rows = raw.client_fetchall(f"EXPLAIN ({options}FORMAT JSON) {statement.sql}", statement.params)
    document = rows[0][0]
    if isinstance(document, str):
        document = json.loads(document)
    top = document[0]
    text_rows = raw.client_fetchall(
        f"EXPLAIN ({options}COSTS OFF) {statement.sql}", statement.params
    )
    plan = Plan("postgresql", statement.sql, "\n".join(r[0] for r in text_rows))
    plan.execution_ms = top.get("Execution Time")
    _walk_pg(top["Plan"], plan)
    plan.scans = _merge_bitmap(plan.scans)
    return plan


def _walk_pg(node: dict[str, Any], plan: Plan) -> None:
    kind = node.get("Node Type", "")
    if kind in {"Sort", "Incremental Sort"}:
        plan.has_sort = True
        plan.sort_keys = ", ".join(node.get("Sort Key", []))
        fed = [_produced(child) for child in node.get("Plans", [])]
        fed_rows = max((r for r in fed if r is not None), default=None)
        if fed_rows is not None:
            plan.sort_rows = max(plan.sort_rows or 0, fed_rows)
    if "Relation Name" in node or kind == "Bitmap Index Scan":
        plan.scans.append(
            Scan(
                table=node.get("Relation Name", ""),
                method=kind,
                index=node.get("Index Name", ""),
                condition=node.get("Index Cond", "") or node.get("Recheck Cond", ""),
                filter=node.get("Filter", ""),
                rows=_actual_rows(node),
            )
        )
    for child in node.get("Plans", []):
        _walk_pg(child, plan)


def _produced(node: dict[str, Any]) -> int | None:
    if "Actual Rows" not in node:
        return None
    return int(node["Actual Rows"] * node.get("Actual Loops", 1))


def _actual_rows(node: dict[str, Any]) -> int | None:
    if "Actual Rows" not in node:
        return None
    return int(node["Actual Rows"] * node.get("Actual Loops", 1)) + int(
        node.get("Rows Removed by Filter", 0) * node.get("Actual Loops", 1)
    )


def _merge_bitmap(scans: list[Scan]) -> list[Scan]:
    """A Bitmap Heap Scan names the table, its Bitmap Index Scan child the index: one entry."""
    merged: list[Scan] = []
    for scan in scans:
        if (
            scan.method == "Bitmap Index Scan"
            and merged
            and merged[-1].method == "Bitmap Heap Scan"
        ):
            heap = merged[-1]
            merged[-1] = Scan(
                heap.table, "Bitmap Index Scan", scan.index, scan.condition, heap.filter, heap.rows
            )
        else:
            merged.append(scan)
    return merged


def _explain_sqlite(raw: RawConnection, statement: Statement) -> Plan:
    rows = raw.fetchall(f"EXPLAIN QUERY PLAN {statement.sql}", statement.params)
    details = [str(r[3]) for r in rows]
    plan = Plan("sqlite", sqlite_sql(statement.sql), "\n".join(details))
    for detail in details:
        # e.g. "SEARCH accounts_user USING INDEX accounts_user_unit_id_262e264e (unit_id=?)",
        # "SCAN organisation_unit USING INDEX unit_path_prefix", "SCAN accounts_loginfailure"
        words = detail.split()
        if len(words) > 1 and words[0] in {"SCAN", "SEARCH"} and words[1] != "CONSTANT":
            using, condition = "", ""
            if " USING " in detail:
                using = detail.split(" USING ", 1)[1]
                if using.endswith(")") and " (" in using:
                    using, condition = using.split(" (", 1)
                    condition = "(" + condition
            index = using.split()[-1] if "INDEX" in using else using
            method = words[0] + (" via " + " ".join(using.split()[:-1]) if "INDEX" in using else "")
            if " VIRTUAL TABLE INDEX " in detail:
                # A virtual table (FTS5) serving a constraint: "SCAN t VIRTUAL TABLE INDEX 0:M1",
                # where M is a full-text MATCH answered by the FTS index, not a walk of the table.
                index_info = detail.split(" VIRTUAL TABLE INDEX ", 1)[1]
                if ":" in index_info and index_info.split(":", 1)[1]:
                    method, index, condition = "SEARCH via VIRTUAL TABLE INDEX", "", index_info
            plan.scans.append(Scan(words[1], method.strip(), index=index, condition=condition))
        if "TEMP B-TREE FOR" in detail and "ORDER BY" in detail:
            plan.has_sort = True
            plan.sort_keys = "temp b-tree"
    return plan


def _serving_indexes(
    raw: RawConnection, statement: Statement, column: str
) -> tuple[Plan, list[str]]:
    """Every index able to serve the statement's condition on `column`: ask the planner (with
    sequential scans disabled), drop the index it picks, ask again... inside a transaction that
    is always rolled back, so the schema is never changed."""
    serving: list[str] = []
    first: Plan | None = None
    with raw.conn.transaction(force_rollback=True):
        raw.execute("SET LOCAL enable_seqscan = off")
        for _ in range(8):
            plan = explain(raw, statement, analyze=False)
            first = first or plan
            hits = [s for s in plan.scans if s.indexed and column in s.condition]
            if not hits or hits[0].index in serving:
                break
            serving.append(hits[0].index)
            try:
                with raw.conn.transaction():  # a savepoint: a constraint's index cannot go
                    raw.execute(f'DROP INDEX "{hits[0].index}"')
            except Exception:  # noqa: BLE001 - stop looking; the rollback undoes everything
                break
    assert first is not None
    return first, serving


@dataclass
class PrefixCheck:
    """Can an index serve `column LIKE 'prefix%'` (the subtree filter)?"""

    served: bool
    index: str
    natural: str  # the plan the planner picks on its own
    forced: str  # the plan with sequential scans discouraged
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_prefix_index(raw: RawConnection, table: str, column: str, prefix: str) -> PrefixCheck:
    """Ask the planner, not the catalogue: on PostgreSQL, with enable_seqscan off, an index
    scan whose condition mentions the column means an index can serve the prefix (it needs
    text_pattern_ops/varchar_pattern_ops or the C collation); on SQLite, a SEARCH."""
    pattern = prefix + "%"
    if raw.vendor == "postgresql":
        sql = f'SELECT id FROM "{table}" WHERE "{table}"."{column}"::text LIKE %s'
        statement = Statement(sql, (pattern,))
        natural = explain(raw, statement, analyze=False)
        forced, serving = _serving_indexes(raw, statement, column)
        if serving:
            explanation = f"served by {' and by '.join(serving)} ({forced.scans[0].condition})"
            if len(serving) > 1:
                explanation += "; any one of them is enough"
        else:
            explanation = (
                f"NO index can serve {table}.{column} LIKE 'prefix%': even with sequential "
                "scans disabled the planner reads every row (needs a text_pattern_ops / "
                "varchar_pattern_ops index, or the column in the C collation)"
            )
        return PrefixCheck(
            bool(serving), ", ".join(serving), natural.notes(), forced.notes(), explanation
        )
    sql = f'SELECT id FROM "{table}" WHERE "{table}"."{column}" LIKE %s ESCAPE \'\\\''
    plan = explain(raw, Statement(sql, (pattern,)))
    hits = [s for s in plan.scans if s.method.startswith("SEARCH") and column in s.condition]
    served = bool(hits)
    explanation = (
        f"index serves the prefix ({hits[0].index})"
        if served
        else (
            f"NO index serves {table}.{column} LIKE 'prefix%' on SQLite: LIKE is "
            "case-insensitive there, so a BINARY-collated index cannot be used (Django's "
            "startswith adds ESCAPE too); every row of the table is read"
        )
    )
    return PrefixCheck(
        served, hits[0].index if hits else "", plan.notes(), plan.notes(), explanation
    )


def duplicate_indexes(raw: RawConnection) -> list[dict[str, Any]]:
    if raw.vendor == "sqlite":
        return _duplicate_indexes_sqlite(raw)
    return _duplicate_indexes_pg(raw)


def _duplicate_indexes_sqlite(raw: RawConnection) -> list[dict[str, Any]]:
    """Full (non-partial) indexes with the same key columns, collations and directions. On
    SQLite Django ignores opclasses, so a varchar_pattern_ops index becomes a plain copy of
    the unique index on the same column."""
    groups: dict[tuple[Any, ...], list[str]] = {}
    tables = raw.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    for (table,) in tables:
        for row in raw.fetchall(f'PRAGMA index_list("{table}")'):
            name, partial = row[1], row[4]
            if partial:
                continue
            keys = tuple(
                (r[2], r[3], r[4]) for r in raw.fetchall(f'PRAGMA index_xinfo("{name}")') if r[5]
            )
            groups.setdefault((table, keys), []).append(name)
    return [
        {"table": table, "indexes": sorted(names),
         "definition": "USING (" + ", ".join(f"{c} {coll}" for c, _d, coll in keys) + ")"}
        for (table, keys), names in groups.items()
        if len(names) > 1
    ]  # fmt: skip


def _duplicate_indexes_pg(raw: RawConnection) -> list[dict[str, Any]]:
    """PostgreSQL indexes with the same table, columns, operator classes, collations,
    expressions and predicate as another: every write maintains each copy for no read gain.
    (Django already adds a varchar_pattern_ops "_like" index to every unique or indexed
    CharField on PostgreSQL, so a hand-made pattern_ops index on such a field is a copy.)"""
    rows = raw.fetchall(
        "SELECT i.indrelid::regclass::text,"
        " array_agg(i.indexrelid::regclass::text ORDER BY i.indexrelid::regclass::text),"
        " pg_get_indexdef((array_agg(i.indexrelid))[1])"
        " FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public'"
        " GROUP BY i.indrelid, i.indkey::text, i.indclass::text, i.indcollation::text,"
        " coalesce(pg_get_expr(i.indexprs, i.indrelid), ''),"
        " coalesce(pg_get_expr(i.indpred, i.indrelid), '')"
        " HAVING count(*) > 1"
    )
    return [{"table": t, "indexes": list(names), "definition": d} for t, names, d in rows]
