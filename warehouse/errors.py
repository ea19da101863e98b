"""Named errors of the warehouse package."""


class WarehouseError(RuntimeError):
    """Something about the warehouse file stops this command."""


class WarehouseLocked(WarehouseError):
    """Another process holds the warehouse for writing."""


class DiskFull(WarehouseError):
    """The disk under the warehouse is full; the load was rolled back."""


def to_clear_error(exc: BaseException, path: object) -> BaseException:
    """A WarehouseError that says what happened, for errors people meet; else exc itself."""
    if "no space left on device" in str(exc).lower():
        return DiskFull(
            "the disk under the warehouse is full: nothing of this run was committed and the "
            "warehouse is as the previous run left it; free space and run again "
            f"({path}: {type(exc).__name__}: {exc})"
        )
    return exc


class MigrationError(WarehouseError):
    """A migration could not be applied; the warehouse is left at its previous version."""


class DuplicateView(WarehouseError):
    """Two view files define the same view name."""
