"""Donations on every reader page: the campaign banner and the donate prompts, same for every reader."""

from django import template

from donations import fragments

register = template.Library()


@register.inclusion_tag("donations/includes/banner.html")
def donation_banner() -> dict:
    """The running campaign's banner, or nothing. No query once the figures are in memory (donations/fragments.py)."""
    return {"campaign": fragments.running_campaign()}


@register.inclusion_tag("donations/includes/prompt.html")
def donate_prompt(placement: str) -> dict:
    return {"prompt": fragments.prompt(placement)}


@register.simple_tag
def get_donate_prompt(placement: str) -> dict | None:
    """`{% get_donate_prompt "newsletter" as prompt %}`: the prompt's texts, for e-mails that lay it out themselves."""
    return fragments.prompt(placement)
