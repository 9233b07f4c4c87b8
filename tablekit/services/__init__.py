"""Services: the one place that owns transactions, permission checks and domain events.

Controllers, the CLI, the worker and the scheduler all call these; none of them touches a
session directly.
"""
