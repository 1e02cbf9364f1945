from rest_framework.permissions import DjangoModelPermissions


class PositionModelPermissions(DjangoModelPermissions):
    """Model permissions from the user's position, reads included (Django's class lets any
    signed-in user read). Scoping to the unit subtree is the view's queryset's job."""

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def _queryset(self, view):  # type: ignore[no-untyped-def]
        # Only the model is needed: DRF would build the view's scoped queryset to learn it,
        # on every request (bench requests.queue.*.http).
        from aftersales.api.viewsets import ScopedReadViewSet  # imports DRF's settings: us

        if isinstance(view, ScopedReadViewSet):
            return view.model._default_manager.none()
        return super()._queryset(view)
