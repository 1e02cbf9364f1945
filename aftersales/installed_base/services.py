"""Writes to the installed base: registering a product, correcting it, passing it on."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.catalog.models import ProductionBatch, ProductModel
from aftersales.customers.models import Customer
from aftersales.installed_base.models import InstalledProduct, OwnershipChange, normalise_serial
from aftersales.installed_base.selectors import warranty_end_for

if TYPE_CHECKING:
    from aftersales.accounts.models import User

# Longer than any real warranty; keeps the end date a reasonable calendar date.
MAX_WARRANTY_MONTHS = 240
SERIAL_MAX_LENGTH = InstalledProduct._meta.get_field("serial").max_length


def _visible_customer(customer: Customer, user: User, field: str) -> None:
    if not Customer.objects.visible_to(user).filter(pk=customer.pk).exists():
        raise ValidationError({field: _("Choose a customer of your units.")})


def _clean_serial(raw: str) -> str:
    serial = normalise_serial(raw)
    if not serial:
        raise ValidationError({"serial": _("Enter the serial number or IMEI.")})
    if len(serial) > SERIAL_MAX_LENGTH:  # upper-casing may lengthen a text ("ß" → "SS")
        raise ValidationError(
            {
                "serial": _("A serial number has at most %(max)d characters.")
                % {"max": SERIAL_MAX_LENGTH}
            }
        )
    return serial


def _duplicate_serial(model: ProductModel, serial: str) -> ValidationError:
    return ValidationError(
        {
            "serial": _("This model already has a product with serial %(serial)s.")
            % {"serial": serial}
        }
    )


def _check_fields(
    *,
    model: ProductModel,
    serial: str,
    purchase_date: datetime.date | None,
    warranty_months: int | None,
    warranty_end: datetime.date | None,
    extended_warranty_end: datetime.date | None,
    batch: ProductionBatch | None,
    exclude_pk: int | None,
) -> None:
    """Check what a product's own fields must satisfy together."""
    errors: dict[str, str] = {}
    if purchase_date is not None and purchase_date > timezone.localdate():
        errors["purchase_date"] = _("The purchase date cannot be in the future.")
    if warranty_months is not None and not 0 <= warranty_months <= MAX_WARRANTY_MONTHS:
        errors["warranty_months"] = _("Give between 0 and %(max)d months.") % {
            "max": MAX_WARRANTY_MONTHS
        }
    if batch is not None and batch.model_id != model.pk:
        errors["batch"] = _("This batch belongs to another model.")
    if errors:
        raise ValidationError(errors)
    if extended_warranty_end is not None:
        if warranty_end is None:
            raise ValidationError(
                {"extended_warranty_end": _("Give the purchase date to extend the warranty.")}
            )
        if extended_warranty_end < warranty_end:
            raise ValidationError(
                {
                    "extended_warranty_end": _(
                        "The extended warranty cannot end before the warranty (%(end)s)."
                    )
                    % {"end": warranty_end.isoformat()}
                }
            )
    duplicates = InstalledProduct.objects.filter(model=model, serial=serial)
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    # All units, not just the caller's: the serial is unique per model across the company.
    if duplicates.exists():
        raise _duplicate_serial(model, serial)


def _save(product: InstalledProduct) -> InstalledProduct:
    # Lengths and the like; the links were checked by the caller, the constraints just above.
    product.full_clean(exclude=["customer", "model", "batch"], validate_constraints=False)
    try:
        with transaction.atomic():  # a savepoint: a lost race must not break the caller's
            product.save()
    except IntegrityError as error:
        if (
            InstalledProduct.objects.filter(model=product.model, serial=product.serial)
            .exclude(pk=product.pk)
            .exists()
        ):
            raise _duplicate_serial(product.model, product.serial) from error
        raise
    return product


@transaction.atomic
def product_register(
    *,
    customer: Customer,
    model: ProductModel,
    serial: str,
    purchase_date: datetime.date | None = None,
    dealer: str = "",
    warranty_months: int | None = None,
    extended_warranty_end: datetime.date | None = None,
    batch: ProductionBatch | None = None,
    notes: str = "",
    user: User,
) -> InstalledProduct:
    """Record that `customer` owns a product. The serial/IMEI is stored normalised and is
    unique per model; the warranty end is computed here and stored (selectors.add_months)."""
    _visible_customer(customer, user, "customer")
    serial = _clean_serial(serial)
    warranty_end = warranty_end_for(purchase_date, warranty_months, model.warranty_months)
    _check_fields(
        model=model,
        serial=serial,
        purchase_date=purchase_date,
        warranty_months=warranty_months,
        warranty_end=warranty_end,
        extended_warranty_end=extended_warranty_end,
        batch=batch,
        exclude_pk=None,
    )
    product = InstalledProduct(
        customer=customer,
        model=model,
        serial=serial,
        purchase_date=purchase_date,
        dealer=dealer or "",
        warranty_months=warranty_months,
        warranty_end=warranty_end,
        extended_warranty_end=extended_warranty_end,
        batch=batch,
        notes=notes or "",
    )
    return _save(product)


@transaction.atomic
def product_update(
    *,
    product: InstalledProduct,
    model: ProductModel,
    serial: str,
    purchase_date: datetime.date | None,
    dealer: str,
    warranty_months: int | None,
    extended_warranty_end: datetime.date | None,
    batch: ProductionBatch | None,
    notes: str,
    user: User,
) -> InstalledProduct:
    """Correct a product's details (the owner changes only by `product_transfer`). The warranty
    end is recomputed when the purchase date, the months or the model change; otherwise it is
    kept, so a later change of the model's standard warranty does not rewrite a past sale."""
    _visible_customer(product.customer, user, "customer")
    serial = _clean_serial(serial)
    terms_changed = (
        purchase_date != product.purchase_date
        or warranty_months != product.warranty_months
        or model.pk != product.model_id
        or product.warranty_end is None
    )
    warranty_end = (
        warranty_end_for(purchase_date, warranty_months, model.warranty_months)
        if terms_changed
        else product.warranty_end
    )
    _check_fields(
        model=model,
        serial=serial,
        purchase_date=purchase_date,
        warranty_months=warranty_months,
        warranty_end=warranty_end,
        extended_warranty_end=extended_warranty_end,
        batch=batch,
        exclude_pk=product.pk,
    )
    product.model = model
    product.serial = serial
    product.purchase_date = purchase_date
    product.dealer = dealer or ""
    product.warranty_months = warranty_months
    product.warranty_end = warranty_end
    product.extended_warranty_end = extended_warranty_end
    product.batch = batch
    product.notes = notes or ""
    return _save(product)


@transaction.atomic
def product_transfer(
    *,
    product: InstalledProduct,
    new_owner: Customer,
    changed_on: datetime.date,
    note: str = "",
    user: User,
) -> OwnershipChange:
    """Pass `product` to another customer (sold on, gifted, a company reorganised): the change
    is recorded with the previous owner and the product moves, together or not at all."""
    product = (
        InstalledProduct.objects.visible_to(user)
        .select_for_update()
        .select_related("customer")
        .get(pk=product.pk)
    )
    _visible_customer(new_owner, user, "new_owner")
    if new_owner.pk == product.customer_id:
        raise ValidationError({"new_owner": _("The customer already owns this product.")})
    if changed_on > timezone.localdate():
        raise ValidationError({"changed_on": _("The date of change cannot be in the future.")})
    if product.purchase_date is not None and changed_on < product.purchase_date:
        raise ValidationError({"changed_on": _("The product changed hands before it was bought.")})
    last = product.ownership_changes.order_by("-changed_on").values_list("changed_on", flat=True)
    previous = last.first()
    if previous is not None and changed_on < previous:
        raise ValidationError(
            {
                "changed_on": _("The product last changed hands on %(date)s; give a later date.")
                % {"date": previous.isoformat()}
            }
        )
    change = OwnershipChange.objects.create(
        product=product,
        previous_owner=product.customer,
        new_owner=new_owner,
        changed_on=changed_on,
        note=(note or "")[:500],
        changed_by=user,
    )
    product.customer = new_owner
    product.save(update_fields=["customer"])
    return change
