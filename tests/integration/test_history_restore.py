# ruff: noqa: E501  (table setups read best one field per line)
"""S10: a row can be put back to an earlier version from its history, and admins see the
base's activity log (who changed what, when) across tables."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Api, make_api, make_user, token_for


@pytest.fixture
def base(services: Any, client: Any) -> dict[str, Any]:
    api = make_api(services, client)
    base = api.ok("post", f"/api/v1/workspaces/{api.workspace_id}/bases", {"name": "CRM"})
    tags = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {"name": "Tags", "fields": [{"name": "Name", "type": "text"}]},
    )
    people = api.ok(
        "post",
        f"/api/v1/bases/{base['id']}/tables",
        {
            "name": "People",
            "fields": [
                {"name": "Name", "type": "text"},
                {"name": "Score", "type": "number"},
                {"name": "Stage", "type": "single_select", "options": {"choices": [{"name": "Lead"}, {"name": "Won"}]}},
                {"name": "Tags", "type": "link", "options": {"table_id": tags["id"]}},
                {"name": "Double", "type": "formula", "options": {"formula": "{Score} * 2"}},
            ],
        },
    )  # fmt: skip
    tag_ids = [
        r["id"]
        for r in api.ok(
            "post",
            f"/api/v1/tables/{tags['id']}/rows",
            {"rows": [{"fields": {"Name": "vip"}}, {"fields": {"Name": "eu"}}]},
        )["rows"]
    ]
    return {"api": api, "services": services, "client": client, "base": base, "people": people["id"], "tags": tags["id"], "tag_ids": tag_ids}  # fmt: skip


def _rows(b: dict[str, Any]) -> str:
    return f"/api/v1/tables/{b['people']}/rows"


def _history(b: dict[str, Any], row_id: int) -> list[dict[str, Any]]:
    return list(b["api"].ok("get", f"{_rows(b)}/{row_id}/history")["items"])


def test_restore_puts_every_later_change_back_as_one_new_version(base: dict[str, Any]) -> None:
    api, vip, eu = base["api"], *base["tag_ids"]
    row = api.ok(
        "post",
        _rows(base),
        {"rows": [{"fields": {"Name": "Ada", "Score": 3, "Stage": "Lead", "Tags": [vip]}}]},
    )["rows"][0]
    api.ok("patch", f"{_rows(base)}/{row['id']}", {"fields": {"Score": 5}})
    checkpoint = _history(base, row["id"])[0]  # right after Score became 5
    api.ok("patch", f"{_rows(base)}/{row['id']}", {"fields": {"Name": "Ada L.", "Score": 9}})
    api.ok("patch", f"{_rows(base)}/{row['id']}", {"fields": {"Stage": "Won", "Tags": [vip, eu]}})
    version = api.ok("get", f"{_rows(base)}/{row['id']}")["version"]

    restored = api.ok(
        "post", f"{_rows(base)}/{row['id']}/history/{checkpoint['id']}/restore", status=200
    )
    assert restored["fields"]["Name"] == "Ada"
    assert restored["fields"]["Score"] == 5 and restored["fields"]["Double"] == 10
    assert restored["fields"]["Stage"] == "Lead"
    assert [t["id"] for t in restored["fields"]["Tags"]] == [vip]
    assert restored["version"] == version + 1 and restored["not_restored"] == []
    latest = _history(base, row["id"])[0]
    assert latest["action"] == "restore"
    assert {c["field"]: (c["old"], c["new"]) for c in latest["changes"]} == {
        "Name": ("Ada L.", "Ada"),
        "Score": (9, 5),
        "Stage": ("Won", "Lead"),
        "Tags": ([vip, eu], [vip]),
    }


def test_restore_to_the_creation_and_to_the_latest_version(base: dict[str, Any]) -> None:
    api = base["api"]
    row = api.ok("post", _rows(base), {"rows": [{"fields": {"Name": "Bo", "Score": 1}}]})["rows"][0]
    api.ok("patch", f"{_rows(base)}/{row['id']}", {"fields": {"Score": 2}})
    entries = _history(base, row["id"])
    latest, created = entries[0], entries[-1]
    unchanged = api.ok("post", f"{_rows(base)}/{row['id']}/history/{latest['id']}/restore", status=200)  # fmt: skip
    assert unchanged["fields"]["Score"] == 2 and len(_history(base, row["id"])) == 2
    back = api.ok("post", f"{_rows(base)}/{row['id']}/history/{created['id']}/restore", status=200)  # fmt: skip
    assert back["fields"]["Score"] == 1


def test_links_to_rows_deleted_since_and_deleted_fields_are_left_out(
    base: dict[str, Any],
) -> None:
    api, vip, eu = base["api"], *base["tag_ids"]
    row = api.ok("post", _rows(base), {"rows": [{"fields": {"Name": "Cy", "Tags": [vip, eu]}}]})["rows"][0]  # fmt: skip
    first = _history(base, row["id"])[0]
    api.ok("patch", f"{_rows(base)}/{row['id']}", {"fields": {"Tags": [], "Score": 4}})
    api.ok("delete", f"/api/v1/tables/{base['tags']}/rows/{eu}")
    schema = api.ok("get", f"/api/v1/bases/{base['base']['id']}/schema")
    people = next(t for t in schema["tables"] if t["name"] == "People")
    score = next(f for f in people["fields"] if f["name"] == "Score")
    api.ok("delete", f"/api/v1/fields/{score['id']}")
    restored = api.ok("post", f"{_rows(base)}/{row['id']}/history/{first['id']}/restore", status=200)  # fmt: skip
    assert [t["id"] for t in restored["fields"]["Tags"]] == [vip]
    assert restored["not_restored"] == [f"f_{score['id']}"]


def test_restore_refuses_entries_of_other_rows_and_readers(base: dict[str, Any]) -> None:
    api = base["api"]
    created = api.ok("post", _rows(base), {"rows": [{"fields": {"Name": "A"}}, {"fields": {"Name": "B"}}]})["rows"]  # fmt: skip
    other_entry = _history(base, created[1]["id"])[0]
    wrong = api.post(f"{_rows(base)}/{created[0]['id']}/history/{other_entry['id']}/restore")
    assert wrong.status_code == 404 and wrong.json()["code"] == "HISTORY_NOT_FOUND"
    reader = _member(base, "viewer")
    own_entry = _history(base, created[0]["id"])[0]
    refused = reader.post(f"{_rows(base)}/{created[0]['id']}/history/{own_entry['id']}/restore")
    assert refused.status_code == 403


def _member(base: dict[str, Any], role: str) -> Api:
    services, api = base["services"], base["api"]
    user, actor = make_user(services, workspace=None)
    api.ok("post", f"/api/v1/workspaces/{api.workspace_id}/members", {"email": actor.email, "role": role})  # fmt: skip
    token = token_for(services, actor, scopes=["read", "write"], workspace_id=api.workspace_id)
    return Api(base["client"], token, int(user["id"]), api.workspace_id)


def test_activity_log_lists_changes_across_tables_newest_first_for_admins(
    base: dict[str, Any],
) -> None:
    api = base["api"]
    editor = _member(base, "editor")
    row = editor.ok("post", _rows(base), {"rows": [{"fields": {"Name": "Dee", "Score": 1}}]})["rows"][0]  # fmt: skip
    editor.ok("patch", f"{_rows(base)}/{row['id']}", {"fields": {"Score": 2}})
    path = f"/api/v1/bases/{base['base']['id']}/activity"
    log = api.ok("get", f"{path}?limit=2")
    newest = log["items"][0]
    assert newest["action"] == "updated" and newest["table"] == "People"
    assert newest["row_id"] == row["id"] and newest["user"]["id"] == editor.user_id
    assert newest["changes"] == [
        {"field_id": newest["changes"][0]["field_id"], "field": "Score", "old": 1, "new": 2}
    ]
    assert log["items"][1]["action"] == "created" and log["next_cursor"]
    rest = api.ok("get", f"{path}?limit=200&cursor={log['next_cursor']}")["items"]
    assert [i["table"] for i in rest] == ["Tags", "Tags"]  # the two tags, created first
    only_people = api.ok("get", f"{path}?table_id={base['people']}")["items"]
    assert {i["table"] for i in only_people} == {"People"} and len(only_people) == 2
    by_user = api.ok("get", f"{path}?user_id={api.user_id}")["items"]
    assert len(by_user) == 2 and all(i["user"]["id"] == api.user_id for i in by_user)
    assert editor.get(path).status_code == 403
    assert api.get(f"{path}?cursor=garbage").status_code == 422


def test_an_import_is_one_activity_entry_with_its_summary(base: dict[str, Any]) -> None:
    api = base["api"]
    started = api.post(
        f"/api/v1/tables/{base['people']}/import",
        files={"file": ("people.csv", b"Name,Score\nEve,1\nFay,2\n")},
    )
    assert started.status_code == 202, started.text
    job = wait_for_job(api, started.json()["job_id"])
    assert job["status"] == "succeeded", job
    newest = api.ok("get", f"/api/v1/bases/{base['base']['id']}/activity")["items"][0]
    assert newest["action"] == "imported" and newest["table"] == "People"
    assert newest["changes"] == [] and newest["summary"]["created"] == 2


def wait_for_job(api: Api, job_id: int) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + 30
    while True:
        job = api.ok("get", f"/api/v1/jobs/{job_id}")
        if job["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            return dict(job)
        time.sleep(0.1)
