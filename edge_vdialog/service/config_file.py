"""Settings as a TOML document: ``config show`` prints it, ``service install`` writes it.

Each key gets its description as a comment; unset optional keys and empty tables appear commented
out, so the written file documents every knob, reads back to the same settings, and takes a table
added below it (``[dialogue.places]``).
"""

from __future__ import annotations

import json
from pathlib import Path

from edge_vdialog.settings import Settings, field_help


def render_toml(settings: Settings, comments: bool = True) -> str:
    lines = []
    for section, model in settings:
        lines.append(f"[{section}]")
        for key, field in type(model).model_fields.items():
            if comments and field.description:
                lines.append(f"# {field_help((section, key))}")
            value = getattr(model, key)
            unset = value is None or value == {}      # an empty table stays open for a [section.key] table
            lines.append(f"# {key} =" if unset else f"{key} = {toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, (str, Path)):
        return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(value, dict):                            # an inline table; every key quoted
        return "{" + ", ".join(f"{toml_value(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML form for {type(value).__name__}")
