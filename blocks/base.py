"""The base of every commerce-sync block: configuration checked like a form a person typed.

Three things every block needs, kept here once:

- a field the block does not define is refused, naming it: a typo (``restore_rat``) would otherwise be
  accepted and ignored in silence, since Prefect's ``Block`` allows extra fields;
- a rejected value is never echoed back: it may be a password or a URL holding one, and pydantic would
  otherwise print it as ``input_value``;
- its JSON schema computed once per class: Prefect asks for the whole schema once per *field* whenever a block
  is saved or serialised (``Block._field_has_secrets`` in prefect/blocks/core.py, 3.8.8), so saving a shop's
  blocks took ~0.8 s of CPU, most of a flow test's set-up and of ``commerce-sync setup``.

``StrictBlock`` is abstract (``ABC``), so ``prefect block register`` never registers it as a block type.
"""

from __future__ import annotations

import copy
from abc import ABC
from typing import Any

from prefect.blocks.core import Block
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails

_SCHEMAS: dict[tuple[Any, ...], dict[str, Any]] = {}


class StrictBlock(Block, ABC):
    model_config = ConfigDict(hide_input_in_errors=True)

    @model_validator(mode="before")
    @classmethod
    def _no_unknown_fields(cls, data: Any) -> Any:
        return known_fields(cls, data)

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Prefect's schema of the block, computed once per class and arguments (a class never changes); each
        caller gets its own copy, as from Prefect."""
        key = (cls, args, tuple(sorted(kwargs.items())))
        if key not in _SCHEMAS:
            _SCHEMAS[key] = super().model_json_schema(*args, **kwargs)
        return copy.deepcopy(_SCHEMAS[key])


def known_fields(model: type[BaseModel], data: Any) -> Any:
    """``data`` unchanged when every key is a field of ``model``; else pydantic's own ``extra_forbidden`` error,
    one per unknown field, each located at its name and without its value.

    Prefect adds private keys (``_block_document_id``, …) and ``block_type_slug``; those pass.
    """
    if not isinstance(data, dict):
        return data
    unknown = sorted(
        key
        for key in data
        if key not in model.model_fields and not str(key).startswith("_") and key != "block_type_slug"
    )
    if unknown:
        details = [InitErrorDetails(type="extra_forbidden", loc=(key,), input=data[key]) for key in unknown]
        raise ValidationError.from_exception_data(model.__name__, details, hide_input=True)
    return data
