import itertools

from aftersales.core.testing import scoped_factory
from aftersales.organisation.models import Unit
from aftersales.organisation.services import unit_create

_codes = itertools.count(1)


def make_unit(parent: Unit | None = None, kind: str | None = None, **fields) -> Unit:  # type: ignore[no-untyped-def]
    """A unit under `parent` of the next kind down (HQ → region → centre → outlet)."""
    if kind is None:
        kind = {
            None: "hq",
            "hq": "region",
            "region": "centre",
            "centre": "outlet",
            "outlet": "outlet",
        }[parent.kind if parent else None]
    if parent is not None and parent.kind == "outlet":
        parent = Unit.objects.get_parent(parent)
    number = next(_codes)
    fields.setdefault("name", f"{kind.title()} {number}")
    # Zero-padded: units are ordered by code among siblings (node_order_by), and "outlet-10"
    # before "outlet-9" made treebeard shift the older sibling's path by SQL, leaving the
    # caller's instance with a stale path (scoping through it then saw the wrong subtree).
    fields.setdefault("code", f"{kind}-{number:06d}")
    return unit_create(parent=parent, kind=kind, **fields)


@scoped_factory(Unit)
def unit_in(unit: Unit) -> Unit:
    """A unit inside `unit`'s subtree: a new child where the kind allows, else the unit itself."""
    if unit.kind == "outlet":
        return unit
    return make_unit(unit)
