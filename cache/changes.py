"""Provides ChangeDetection: cheap answers to "has the cache changed since I last looked?"."""

from __future__ import annotations

import datetime as dt

from cache.access import TableAccess
from cache.errors import storage_boundary
from cache.files import local_version
from cache.schema import SPECS


class ChangeDetection(TableAccess):
    """Table versions (the app polls them) and when a table was last written."""

    def versions(self) -> dict[str, int]:
        """Return every table's version (-1: never written); cheap enough to poll every few seconds."""
        local = self.local_root
        out: dict[str, int] = {}
        for name in SPECS:
            if local is not None:
                out[name] = local_version(local / name / "_delta_log")
            else:
                from deltalake import DeltaTable

                uri = self.location.table_uri(name)
                try:
                    out[name] = DeltaTable(uri, storage_options=self.location.options()).version()
                except Exception:
                    out[name] = -1
        return out

    def _written_at(self, name: str) -> dt.datetime | None:
        """Return when table ``name`` was last written, or None if never."""
        snap = self._snapshot(name)
        if snap.table is None:
            return None
        with storage_boundary(name, snap.uri):
            history = snap.table.history(1)
        stamp = history[0].get("timestamp") if history else None
        return dt.datetime.fromtimestamp(stamp / 1000, dt.UTC) if isinstance(stamp, int | float) else None
