"""The org tree: 1 HQ → regions → service centres → service outlets, as treebeard
materialised paths (steplen 4, alphabet 0-9A-Z, siblings numbered in `node_order_by` = code
order), with depth and numchild filled in, so treebeard and the app work on it unchanged."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.generators import GenContext, generator

REGION_NAMES = ["华东", "华北", "华南", "华中", "西南", "西北", "东北", "Сибирь", "Урал", "Юг"]


@dataclass
class UnitRow:
    id: int
    code: str
    kind: str
    path: str
    depth: int
    parent: UnitRow | None = None
    children: list[UnitRow] = field(default_factory=list)


def build_tree(regions: int, centres_per_region: int, outlets_per_centre: int) -> list[UnitRow]:
    """The tree in path order. Paths come from treebeard's own `_get_path`, so the format is
    exactly what `add_child` would have produced."""
    from aftersales.organisation.models import Unit

    units: list[UnitRow] = []

    def add(code: str, kind: str, parent: UnitRow | None, position: int) -> UnitRow:
        depth = 1 if parent is None else parent.depth + 1
        path = Unit._get_path(parent.path if parent else None, depth, position)
        row = UnitRow(len(units) + 1, code, kind, path, depth, parent)
        units.append(row)
        if parent is not None:
            parent.children.append(row)
        return row

    hq = add("hq", "hq", None, 1)
    # Codes are zero-padded so that code order (node_order_by) equals sibling position order.
    for r in range(1, regions + 1):
        region = add(f"r{r:02d}", "region", hq, r)
        for c in range(1, centres_per_region + 1):
            centre = add(f"r{r:02d}-c{c:02d}", "centre", region, c)
            for o in range(1, outlets_per_centre + 1):
                add(f"r{r:02d}-c{c:02d}-o{o:02d}", "outlet", centre, o)
    units.sort(key=lambda u: u.path)
    return units


@generator("units", version="1")
def units(ctx: GenContext) -> dict[str, int]:
    """organisation_unit: the national tree (the same at every scale for now)."""
    from aftersales.organisation.models import Unit

    scale = ctx.scale
    rng = ctx.rng("units")
    tree = build_tree(scale.regions, scale.centres_per_region, scale.outlets_per_centre)

    def name(unit: UnitRow) -> str:
        parts = unit.code.split("-")
        region = REGION_NAMES[(int(parts[0][1:]) - 1) % len(REGION_NAMES)] if unit.depth > 1 else ""
        if unit.kind == "hq":
            return "总部 · Headquarters"
        if unit.kind == "region":
            return f"{region}大区 {parts[0].upper()}"
        if unit.kind == "centre":
            return f"{region}服务中心 {unit.code.upper()}"
        return f"{region}服务网点 {unit.code.upper()}"

    def rows():  # type: ignore[no-untyped-def]
        for unit in tree:
            authorised = unit.kind == "outlet" and rng.random() < 0.3
            timezone = ""
            if unit.kind == "hq":
                timezone = "Asia/Shanghai"
            elif unit.kind == "region" and unit.code == f"r{scale.regions:02d}":
                timezone = "Asia/Urumqi"
            yield (
                unit.id,
                name(unit),
                unit.code,
                unit.kind,
                "authorised" if authorised else "own",
                f"{unit.code.upper()} 号 · 服务路 {unit.id}",
                f"+86 21 {5000_0000 + unit.id}",
                f"{unit.code}@bench.aftersales.example",
                timezone,
                unit.path,
                unit.depth,
                len(unit.children),
            )

    columns = [
        "id",
        "name",
        "code",
        "kind",
        "ownership",
        "address",
        "phones",
        "email",
        "timezone",
        "path",
        "depth",
        "numchild",
    ]
    count = ctx.loader.load(Unit, columns, rows(), constants={"is_active": True})
    ctx.shared["units"] = tree
    ctx.shared["units_by_code"] = {u.code: u for u in tree}
    return {"organisation_unit": count}
