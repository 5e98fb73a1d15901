"""Resource types and the per-instance handle table, with the canonical ABI's own/borrow rules.

A host resource's representation is the Python object itself; a guest-defined resource's is
the i32 its component chose, wrapped as ResourceHandle when it reaches Python. Every misuse
(wrong type, dropping a lent handle, a borrow outliving its call, a stale index) traps the guest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pywasi_web.engines.gathered_writes import HandleLeases
from pywasi_web.errors import GuestTrap


def trap(message: str) -> GuestTrap:
    return GuestTrap(f"the guest trapped: {message}")


class ResourceType:
    """One resource type, by identity: each import binding or instantiation makes a new one.

    `owner` is the component instance that defined it (None: implemented by the host);
    `destructor` runs when the last owning handle is dropped; `host_class`, for a host
    resource, is the Python class its objects must be instances of.
    """

    def __init__(
        self,
        name: str,
        owner: object | None = None,
        destructor: Callable[[Any], None] | None = None,
        host_class: type | None = None,
    ) -> None:
        self.name = name
        self.owner = owner
        self.destructor = destructor
        self.host_class = host_class

    def __repr__(self) -> str:
        return f"<resource {self.name}>"

    def admits(self, value: Any) -> bool:
        """Whether `value` may stand for a host resource of this type (an instance of its class)."""
        return self.host_class is None or isinstance(value, self.host_class)

    def described(self) -> str:
        """The type for a message: `blob (Blob)` when it has a class."""
        return self.name if self.host_class is None else f"{self.name} ({self.host_class.__name__})"

    def destroy(self, rep: Any) -> None:
        if self.destructor is not None:
            self.destructor(rep)
        elif self.owner is None:
            drop = getattr(rep, "drop", None)
            if callable(drop):
                drop()


@dataclass(eq=False)
class ResourceHandle:
    """A guest-defined resource held by Python: pass it back to the component's functions.
    (The JS API also holds the page's host resources so, api/js_values.py: `rep` is the object.)

    `drop()` runs the resource's destructor, once; using it afterwards traps the guest."""

    type: ResourceType
    rep: Any
    dropped: bool = False

    def drop(self) -> None:
        if not self.dropped:
            self.dropped = True
            self.type.destroy(self.rep)

    def __repr__(self) -> str:
        return f"<{self.type.name} {self.rep}{' dropped' if self.dropped else ''}>"


@dataclass(eq=False)
class Handle:
    type: ResourceType
    rep: Any
    own: bool
    scope: CallScope | None = None  # the call a borrow handle was lent for
    lend_count: int = 0
    leased: bool = False  # in its type's HandleLeases (HandleTable.lease)


@dataclass(eq=False)
class CallScope:
    """The bookkeeping of one call across the boundary: own handles lent to it as borrows, and
    borrow handles it was given, which it must drop before it returns."""

    lent: list[Handle] = field(default_factory=list)
    borrows: int = 0

    def lend(self, handle: Handle) -> None:
        handle.lend_count += 1
        self.lent.append(handle)

    def release(self) -> None:
        """End the loans of handles lent to the call."""
        for handle in self.lent:
            handle.lend_count -= 1
        self.lent.clear()

    def finish(self) -> None:
        self.release()
        if self.borrows:
            raise trap("a borrowed handle was not dropped before the call returned")


class HandleTable:
    """One component instance's table of resource handles; index 0 is never valid.

    For a resource type given to `lease`, the table keeps the engine's HandleLeases in step with
    itself (engines/gathered_writes.py): each own handle it adds whose representation's
    `gather_key()` is not None is granted under that key, and revoked when it leaves the table.
    """

    def __init__(self) -> None:
        self._slots: list[Handle | None] = [None]
        self._free: list[int] = []
        self._leases: dict[ResourceType, HandleLeases] = {}

    def lease(self, resource: ResourceType, make: Callable[[], HandleLeases]) -> HandleLeases:
        """The leases of `resource`'s handles in this table, made by `make` the first time."""
        leases = self._leases.get(resource)
        if leases is None:
            leases = self._leases[resource] = make()
        return leases

    def add(self, handle: Handle) -> int:
        if self._free:
            index = self._free.pop()
            self._slots[index] = handle
            return index
        self._slots.append(handle)
        return len(self._slots) - 1

    def get(self, index: int, expected: ResourceType) -> Handle:
        handle = self._slots[index] if 0 < index < len(self._slots) else None
        if handle is None:
            raise trap(f"unknown handle {index}")
        if handle.type is not expected:
            raise trap(f"handle {index} is a {handle.type.name}, not a {expected.name}")
        return handle

    def remove(self, index: int, expected: ResourceType) -> Handle:
        handle = self.get(index, expected)
        self._slots[index] = None
        self._free.append(index)
        if handle.leased:
            self._leases[expected].revoke(index)
        return handle

    # -- the canonical ABI's operations on handles
    def lower_own(self, resource: ResourceType, rep: Any) -> int:
        handle = Handle(resource, rep, own=True)
        index = self.add(handle)
        leases = self._leases.get(resource)
        if leases is not None:
            key = rep.gather_key()
            if key is not None:
                leases.grant(index, key)
                handle.leased = True
        return index

    def lower_borrow(self, resource: ResourceType, rep: Any, scope: CallScope, instance: object) -> int:
        if resource.owner is instance:
            return int(rep)  # a component sees its own resources by representation
        scope.borrows += 1
        return self.add(Handle(resource, rep, own=False, scope=scope))

    def lift_own(self, resource: ResourceType, index: int) -> Any:
        handle = self.get(index, resource)
        if not handle.own:
            raise trap(f"handle {index} is borrowed; an owned {resource.name} was expected")
        if handle.lend_count:
            raise trap(f"handle {index} is lent out and cannot be moved")
        self.remove(index, resource)
        return handle.rep

    def lift_borrow(self, resource: ResourceType, index: int, scope: CallScope) -> Any:
        handle = self.get(index, resource)
        if handle.own:
            scope.lend(handle)
        return handle.rep

    def drop(self, resource: ResourceType, index: int) -> None:
        """canon resource.drop: an owning handle runs the destructor, a borrow ends its loan."""
        handle = self.get(index, resource)
        if handle.own and handle.lend_count:
            raise trap(f"handle {index} is lent out and cannot be dropped")
        self.remove(index, resource)
        if handle.own:
            resource.destroy(handle.rep)
        elif handle.scope is not None:
            handle.scope.borrows -= 1

    def new(self, resource: ResourceType, rep: int) -> int:
        return self.lower_own(resource, rep)

    def rep(self, resource: ResourceType, index: int) -> Any:
        return self.get(index, resource).rep
