"""The built-in field types, in the order the UI offers them."""

from __future__ import annotations

from tablekit.fields.attachment import AttachmentField
from tablekit.fields.base import FieldType
from tablekit.fields.boolean import CheckboxField
from tablekit.fields.computed import CountField, FormulaField, LookupField, RollupField
from tablekit.fields.dates import DateField, DateTimeField
from tablekit.fields.link import ButtonField, LinkField
from tablekit.fields.number import (
    CurrencyField,
    DurationField,
    NumberField,
    PercentField,
    RatingField,
)
from tablekit.fields.people import CollaboratorField, CreatedByField, ModifiedByField
from tablekit.fields.select import MultipleSelectField, SingleSelectField
from tablekit.fields.system import (
    AutoNumberField,
    CreatedTimeField,
    ModifiedTimeField,
)
from tablekit.fields.text import EmailField, LongTextField, PhoneField, TextField, UrlField
from tablekit.registry import Registry


def builtin_field_types() -> list[FieldType]:
    return [
        TextField(),
        LongTextField(),
        NumberField(),
        CurrencyField(),
        PercentField(),
        CheckboxField(),
        DateField(),
        DateTimeField(),
        SingleSelectField(),
        MultipleSelectField(),
        EmailField(),
        UrlField(),
        PhoneField(),
        RatingField(),
        DurationField(),
        AutoNumberField(),
        CreatedTimeField(),
        ModifiedTimeField(),
        CreatedByField(),
        ModifiedByField(),
        CollaboratorField(),
        AttachmentField(),
        LinkField(),
        LookupField(),
        RollupField(),
        CountField(),
        FormulaField(),
        ButtonField(),
    ]


def build_field_registry(extra: list[FieldType] | None = None) -> Registry[FieldType]:
    return Registry("field", [*builtin_field_types(), *(extra or [])])
