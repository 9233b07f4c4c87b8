"""What templates see: the row, its linked rows with their own cells and lookups, the base's
company header, locale-aware formatting, and the bounds on what a render may read."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tablekit.documents import context
from tablekit.errors import ValidationFailed
from tablekit.services.actor import Actor
from tablekit.services.container import Services
from tests.documents.world import Shop, build_shop


def preview(services: Services, shop: Shop, template: str, row_id: int | None = None) -> str:
    html: str = services.documents.preview(
        shop.actor,
        base_id=shop.base_id,
        table="Orders",
        row_id=row_id or shop.order_id,
        template=template,
    )["html"]
    return html


def test_a_row_brings_its_lines_their_lookups_and_their_linked_rows(
    services: Services, shop: Shop
) -> None:
    template = (
        "{{ row['No.'] }} for {{ row['Customer'][0].name }}"
        " ({{ row.links['Customer'][0]['VAT id'] }})"
        "{% for line in row.links['Order lines'] %}"
        "|{{ line['Quantity'] }} x {{ line['SKU'][0] }} at {{ line['Unit price'] }}"
        " = {{ line['Line total'] }} = {{ line['Quantity'] * line['Unit price'] }}"
        " {{ line.links['Product'][0]['Picture'][0].src if line.links['Product'][0]['Picture'] }}"
        "{% endfor %}"
        "|net {{ row['Net total'] }}, gross {{ (row['Net total'] * 1.19) | round(2) }}"
        "|{{ row['Order date'].year }}-{{ row['Delivery date'] - row['Order date'] }}"
        "|{{ base.company.name }}, {{ base.company.vat_id }}, {{ base.settings.iban }}"
        ", {{ base.company.logo }}, {{ base.timezone }}"
        "|{{ table.name }} {{ row.id == row_id }} {{ now.tzinfo.key }} {{ today == now.date() }}"
        "|{{ today.isoformat() }}"
    )
    services.rows.update(shop.actor, shop.customers, [(1, {"VAT id": "{{ 7*7 }}<b>"})])

    html = preview(services, shop, template)

    assert html.split("|") == [
        "ORD-0001 for Müller &amp; Söhne &lt;GmbH&gt; ({{ 7*7 }}&lt;b&gt;)",
        f"3 x W-100 at 19.99 = 59.97 = 59.97 /api/v1/files/{shop.picture_id}",
        "10 x G-200 at 5.00 = 50.00 = 50.00 ",
        "net 109.97, gross 130.86",
        "2026-7 days, 0:00:00",
        f"Acme Trading Ltd, GB123456789, GB33BUKB20201555555555, /api/v1/files/{shop.logo_id}"
        ", Europe/Berlin",
        "Orders True Europe/Berlin True",
        datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat(),
    ]


def test_formatting_follows_the_base_locale_and_each_fields_currency(
    services: Services, owner: Actor
) -> None:
    shop = build_shop(services, owner, settings={"locale": "de-DE", "currency": "CHF"})
    template = (
        "{{ row.display['Net total'] }}|{{ fmt.money(row['Net total']) }}"
        "|{{ row.display['Order date'] }}|{{ fmt.date(row['Order date'], '%d %B') }}"
        "|{% for line in row.links['Order lines'] %}{{ line.display['VAT rate'] }};"
        "{{ line.display['Quantity'] }};{{ line.display['Product'] }};{% endfor %}"
        "|{{ row['Net total'] | money(base.currency, base.locale) }}|{{ fmt.number(1234.5) }}"
        "|{{ fmt.datetime(now) == fmt.date(today) ~ ' ' ~ now.strftime('%H:%M') }}"
    )

    html = preview(services, shop, template)

    assert html.split("|") == [
        "109,97 €",
        "109,97 CHF",
        "02.03.2026",
        "02 March",
        "19 %;3;Widget;7 %;10;Gadget;",
        "109,97 CHF",
        "1.234,50",
        "True",
    ]


@pytest.fixture
def statements(services: Services) -> Iterator[list[str]]:
    """SQL statements run by this thread (not by background workers)."""
    seen: list[str] = []
    me = threading.get_ident()

    def record(*args: Any) -> None:
        if threading.get_ident() == me:
            seen.append(str(args[2]))

    sa.event.listen(services.db.engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(services.db.engine, "before_cursor_execute", record)


def test_linked_rows_cost_one_query_per_link_field_however_many_lines(
    services: Services, shop: Shop, statements: list[str]
) -> None:
    template = (
        "{% for line in row.links['Order lines'] %}{{ line.links['Product'][0]['Name'] }}"
        "{% endfor %}"
    )
    preview(services, shop, template)
    few = len(statements)
    services.rows.create(
        shop.actor,
        shop.lines,
        [{"Order": [shop.order_id], "Product": [1 + i % 2], "Quantity": i} for i in range(30)],
    )
    statements.clear()

    html = preview(services, shop, template)

    assert html.count("Widget") + html.count("Gadget") == 32
    assert len(statements) == few


def test_reads_are_bounded_and_unknown_links_fail_loudly(
    services: Services, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = (
        "{{ row.links['Order lines'][0].links['Order'][0].links['Order lines'][0]"
        ".links['Product'] }}"
    )
    with pytest.raises(ValidationFailed) as too_deep:
        preview(services, shop, deep)
    monkeypatch.setattr(context, "MAX_LINKED_ROWS", 2)
    with pytest.raises(ValidationFailed) as too_many:
        preview(services, shop, "{{ row.links['Order lines'] | length }}")

    assert too_deep.value.code == "TEMPLATE_ERROR"
    assert "at most 3 links deep" in too_deep.value.message
    assert "at most 2 linked rows" in too_many.value.message
    with pytest.raises(ValidationFailed) as unknown_link:
        preview(services, shop, "{{ row.links['Invoices'] }}")
    with pytest.raises(ValidationFailed) as plain_field:
        preview(services, shop, "{{ row.links['Order date'] }}")
    assert "Invoices" in unknown_link.value.message
    assert "Order date" in plain_field.value.message


def test_the_guides_template_examples_render(services: Services, shop: Shop) -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "documents.md").read_text()
    snippets = re.findall(r"```jinja\n(.*?)```", guide, re.DOTALL)

    rendered = [preview(services, shop, snippet) for snippet in snippets]

    assert len(rendered) == 2
    assert "Müller &amp; Söhne &lt;GmbH&gt;<br>" in rendered[0]
    assert "Hauptstraße 5<br>10115 Berlin<br>Germany" in rendered[0]
    assert "<td>Widget (W-100)</td>" in rendered[0] and "<td>€59.97</td>" in rendered[0]
    assert "VAT 19% on €59.97</th>" in rendered[1] and "<td>€11.39</td>" in rendered[1]
