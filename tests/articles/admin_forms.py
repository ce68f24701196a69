"""Turn a rendered admin change form back into the POST data a browser would send."""

import re

from django.http import HttpResponse


def _value(bound_field):
    value = bound_field.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def form_data(response: HttpResponse, **changes) -> dict:
    """The change form's fields and every inline formset as posted, with `changes` applied
    (keys are field names, or "<prefix>-<n>-<field>" for inline rows)."""
    data = {}
    context = response.context
    form = context["adminform"].form
    for name in form.fields:
        if name in context["adminform"].readonly_fields:
            continue
        value = _value(form[name])
        if value is not None:
            data[name] = value
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        for name, field in formset.management_form.fields.items():
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value() or field.initial or 0
        for subform in formset.forms:
            for name in subform.fields:
                value = _value(subform[name])
                if value is not None:
                    data[subform.add_prefix(name)] = value
    data["_workflow_base"] = context.get("workflow_base", "")
    if "body" in data:
        # As the body editor posts it when nobody touched a block: every stored block is unchanged.
        data["body_unchanged"] = ",".join(re.findall(r'data-block="(\d+)"', data["body"]))
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def with_block_text(data: dict, block_id: int, html: str) -> dict:
    """`data` with one block of the body retyped in the editor as `html` (its inner HTML)."""
    body = re.sub(
        rf'(<(\w+)[^>]*data-block="{block_id}"[^>]*>).*?(</\2>)', lambda m: m[1] + html + m[3], data["body"], count=1
    )
    unchanged = [part for part in data["body_unchanged"].split(",") if part and part != str(block_id)]
    return {**data, "body": body, "body_unchanged": ",".join(unchanged)}
