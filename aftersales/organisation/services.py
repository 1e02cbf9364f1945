"""Writes to the organisation tree."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.organisation.choices import ALLOWED_PARENT_KINDS, UnitKind
from aftersales.organisation.models import Unit


def _check_placement(kind: str, parent: Unit | None) -> None:
    if parent is None:
        if kind != UnitKind.HQ:
            raise ValidationError(
                {"parent": _("Only headquarters may stand at the top of the tree.")}
            )
        return
    if parent.kind not in ALLOWED_PARENT_KINDS[kind]:
        raise ValidationError(
            {
                "parent": _(
                    "A unit of kind “%(kind)s” cannot be placed under one of kind "
                    "“%(parent_kind)s”."
                )
                % {"kind": UnitKind(kind).label, "parent_kind": UnitKind(parent.kind).label}
            }
        )


@transaction.atomic
def unit_create(*, parent: Unit | None, **fields: Any) -> Unit:
    """Add a unit under `parent` (None: a new headquarters root). The kind must fit under the
    parent's kind (ALLOWED_PARENT_KINDS)."""
    _check_placement(fields["kind"], parent)
    if parent is None:
        return Unit.objects.add_root(fields)
    # Re-read the parent inside the transaction: treebeard computes the child's path from it.
    parent = Unit.objects.select_for_update().get(pk=parent.pk)
    return Unit.objects.add_child(parent, fields)


@transaction.atomic
def unit_update(*, unit: Unit, **fields: Any) -> Unit:
    """Change a unit's own fields. Moving in the tree is not an edit (see unit_move)."""
    if "kind" in fields and fields["kind"] != unit.kind:
        parent = Unit.objects.get_parent(unit)
        _check_placement(fields["kind"], parent)
        for child in Unit.objects.get_children(unit):
            if fields["kind"] not in ALLOWED_PARENT_KINDS[child.kind]:
                raise ValidationError(
                    {"kind": _("The unit's children cannot stand under this kind.")}
                )
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.full_clean(exclude=["path", "depth", "numchild"])
    unit.save()
    return unit
