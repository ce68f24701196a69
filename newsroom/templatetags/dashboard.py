from django import template

from newsroom.dashboard import dashboard as build

register = template.Library()


@register.simple_tag
def dashboard(user) -> dict:
    """The signed-in person's dashboard sections (see newsroom/dashboard.py)."""
    return build(user)
