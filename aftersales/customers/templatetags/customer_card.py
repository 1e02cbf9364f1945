"""Template helpers of the customer card."""

from typing import Any

from django import template

from aftersales.customers.phones import display

register = template.Library()


@register.filter
def phone(number: str) -> str:
    """An E.164 number for reading: +86 138 0013 8000."""
    return display(number or "")


class _SectionContextNode(template.Node):
    def __init__(self, values: Any, nodelist: template.NodeList) -> None:
        self.values = values
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        values = self.values.resolve(context) or {}
        with context.push(**{str(key): value for key, value in dict(values).items()}):
            return self.nodelist.render(context)


@register.tag
def section_context(parser: Any, token: Any) -> _SectionContextNode:
    """`{% section_context section.context %}…{% endsection_context %}`: a card section's own
    context (its keys, e.g. `products`) as plain variables inside the block, so a section's
    template may read `{{ products }}` as well as `{{ section.products }}`."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("section_context takes one argument")
    nodelist = parser.parse(("endsection_context",))
    parser.delete_first_token()
    return _SectionContextNode(parser.compile_filter(bits[1]), nodelist)
