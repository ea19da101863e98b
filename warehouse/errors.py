"""Named errors of the warehouse package."""


class WarehouseError(RuntimeError):
    """Something about the warehouse file stops this command."""


class WarehouseLocked(WarehouseError):
    """Another process holds the warehouse for writing."""


class DiskFull(WarehouseError):
    """The disk under the warehouse is full; the load was rolled back."""


class MigrationError(WarehouseError):
    """A migration could not be applied; the warehouse is left at its previous version."""


class DuplicateView(WarehouseError):
    """Two view files define the same view name."""
