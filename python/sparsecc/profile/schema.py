"""The profile document's JSON Schema (``schema.json``, draft 2020-12) and a validator."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def load_schema() -> dict:
    return json.loads(Path(__file__).with_name("schema.json").read_text())


def validate(doc: dict) -> None:
    """Raise ``jsonschema.ValidationError`` if ``doc`` does not follow the schema (needs ``jsonschema``)."""
    import jsonschema

    jsonschema.Draft202012Validator(load_schema()).validate(doc)
