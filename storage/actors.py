"""The acting user: who they are and the roles they hold, as the sign-in established them.
What each role may do is named in storage.permissions."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: str | None = None
    assessment_id: int | None = None


@dataclass(frozen=True)
class Actor:
    """The acting user, as the login boundary established them."""

    user_id: str
    name: str = ""
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    def has(self, role: str) -> bool:
        return any(g.role == role for g in self.grants)

    @property
    def is_admin(self) -> bool:
        return self.has("admin")

    def units(self, *roles: str) -> set[str | None]:
        """Unit ids (None: the whole organisation) the actor holds any of `roles` on."""
        return {g.unit_id for g in self.grants if g.role in roles}


SYSTEM = Actor("system", "System", (Grant("admin"),))
