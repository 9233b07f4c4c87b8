"""The function library of the formula language, one module per family.

``LIBRARY`` maps each UPPERCASE name to its ``FunctionSpec``. It is a fixed, read-only
table (not a plugin registry): the parser checks names and arities against it, and the
sandbox's symbol table is built from it and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tablekit.formulas.functions import dates, logic, numeric, text
from tablekit.formulas.functions.spec import FunctionSpec, Lazy, force

FAMILIES: Mapping[str, tuple[FunctionSpec, ...]] = MappingProxyType(
    {
        "logic": logic.FUNCTIONS,
        "math": numeric.FUNCTIONS,
        "text": text.FUNCTIONS,
        "dates": dates.FUNCTIONS,
    }
)
LIBRARY: Mapping[str, FunctionSpec] = MappingProxyType(
    {spec.name: spec for family in FAMILIES.values() for spec in family}
)

__all__ = ["FAMILIES", "LIBRARY", "FunctionSpec", "Lazy", "force"]
