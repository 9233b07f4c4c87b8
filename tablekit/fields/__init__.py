"""Field types: one small class per type, registered in a Registry built by ``create_app()``.

A field type knows its options, its physical column, how to turn API values into stored
values and back, and which filter operators it supports. Optional behaviour (links,
computed values) lives in the services that need it, not in a hundred-method base class.
"""
