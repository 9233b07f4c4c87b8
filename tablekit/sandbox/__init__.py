"""Where formulas run: the only package that imports asteval.

``evaluate`` runs a parsed formula for one row in this process (about 10 µs, no timeout:
use it for single-row recalculation on save). ``SandboxPool`` runs batches in worker
processes with a wall-clock timeout and memory/CPU limits: use it for bulk recalculation
and automation conditions. Both return an ``ErrorValue`` for a failed row, never raise.
"""

from __future__ import annotations

from tablekit.sandbox.evaluator import ErrorValue, evaluate
from tablekit.sandbox.pool import SandboxPool

__all__ = ["ErrorValue", "SandboxPool", "evaluate"]
