from urllib.parse import quote

from django import template
from django.conf import settings
from django.utils.html import format_html_join
from django.utils.text import Truncator
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


# The board's blocks are built here, one call per engineer, rather than by a template loop per
# visit: a week of 50 engineers is a thousand blocks, and the template engine's per-visit
# lookups and filters were most of the page's time (bench field.board.week).
@register.filter
def day_track(visits: list) -> str:
    return format_html_join(
        "",
        '<a href="{}" class="board-visit visit-{} text-body text-decoration-none border" '
        'data-left="{}" data-width="{}" title="{}–{} {} · {}">{} {}</a>',
        (
            (v.url, v.status, v.left, v.width, v.start, v.end, v.customer, v.status_label)
            + (v.start, v.customer)
            for v in visits
        ),
    )


@register.filter
def week_cell(visits: list) -> str:
    return format_html_join(
        "",
        '<a href="{}" class="d-block visit-{} text-body text-decoration-none rounded px-1 mb-1" '
        'title="{} · {}">{} {}</a>',
        (
            (v.url, v.status, v.customer, v.status_label, v.start, Truncator(v.customer).chars(18))
            for v in visits
        ),
    )
