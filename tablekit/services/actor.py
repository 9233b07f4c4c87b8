"""Who is acting: a signed-in user, or a user through an API token with limited scopes."""

from __future__ import annotations

from dataclasses import dataclass, field

ALL_SCOPES = frozenset({"read", "write", "admin"})


@dataclass(frozen=True)
class Actor:
    user_id: int
    email: str
    name: str = ""
    is_admin: bool = False
    token_id: int | None = None
    scopes: frozenset[str] = field(default=ALL_SCOPES)
    token_workspace_id: int | None = None
    token_base_id: int | None = None

    @property
    def via_token(self) -> bool:
        return self.token_id is not None


SYSTEM = Actor(user_id=0, email="system@tablekit", name="TableKit", is_admin=True)
