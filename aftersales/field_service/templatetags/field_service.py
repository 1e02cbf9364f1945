from urllib.parse import quote

from django import template
from django.conf import settings
from django.utils.translation import gettext

register = template.Library()

# A web map search that opens on any phone; geo: links open the phone's own maps app.
DEFAULT_MAPS_SEARCH_URL = "https://www.openstreetmap.org/search?query={query}"


@register.filter
def geo_uri(address: str) -> str:
    return "geo:0,0?q=" + quote(address or "")


@register.filter
def maps_url(address: str) -> str:
    pattern = getattr(settings, "FIELD_MAPS_SEARCH_URL", DEFAULT_MAPS_SEARCH_URL)
    return pattern.format(query=quote(address or ""))


@register.filter
def duration(minutes: int) -> str:
    minutes = int(minutes or 0)
    hours, rest = divmod(minutes, 60)
    if hours:
        return gettext("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest}
    return gettext("%(minutes)d min") % {"minutes": rest}
