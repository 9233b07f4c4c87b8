"""Automation rules: triggers, conditions and actions, delivered through the event outbox.

A rule (``models.Rule``) is a trigger, an optional condition (view filter and/or formula)
and ordered actions, each typed by a registered class with a msgspec params schema
(``registry``). The dispatcher (``dispatch``) claims row events written in the same
transaction as the change, matches rules and creates runs; the runner (``runner``) executes
them step by step with a savepoint per step; the scheduler (``scheduler``) creates runs for
cron, matching-rows and date-relative rules; ``worker`` runs all of it in a loop, either
inside ``tablekit serve`` or alone as ``tablekit worker``. This module imports nothing, so
the row service can import ``locks`` without a cycle.
"""
