"""Concurrent writers: no "database is locked", auto numbers unique and gap-free."""

import threading

from tests.factories import make_user

THREADS = 16
WRITES = 200


def test_16_threads_writing_never_lock_and_number_without_gaps(services, db_url):
    _, actor = make_user(services)
    ws = services.workspaces.mine(actor)[0]["id"]
    base = services.workspaces.create_base(actor, ws, "Orders")
    table = services.schema.create_table(
        actor,
        base["id"],
        "Orders",
        [
            {"name": "No.", "type": "auto_number", "options": {"format": "ORD-{00000}"}},
            {"name": "Note", "type": "text"},
            {"name": "Qty", "type": "number"},
        ],
    )
    writes = WRITES if db_url.startswith("sqlite") else WRITES // 4
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer(n: int) -> None:
        start.wait()
        for i in range(writes):
            try:
                if i % 4 == 3:
                    services.rows.update(actor, table["id"], [(created[n][-1], {"Qty": i})])
                else:
                    row = services.rows.create(
                        actor, table["id"], [{"Note": f"t{n}-{i}", "Qty": i}]
                    )[0]
                    created[n].append(row["id"])
            except BaseException as exc:
                errors.append(exc)

    created: list[list[int]] = [[] for _ in range(THREADS)]
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    total = sum(len(c) for c in created)
    assert total == THREADS * (writes - writes // 4)
    numbers = []
    cursor = None
    while True:
        page = services.rows.query(actor, table["id"], limit=1000, cursor=cursor)
        numbers.extend(r["fields"]["No."] for r in page["rows"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(numbers) == [f"ORD-{i:05d}" for i in range(1, total + 1)]
