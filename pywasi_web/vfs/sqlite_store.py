"""A Store in one SQLite file: CPython's persistent backend (the browser's is IndexedDB).

SQLite transactions make each write-back all-or-nothing, and its locking keeps two processes
from interleaving; the generation row turns a second writer into StoreConflict.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pywasi_web.vfs.persistent import Record, StoreConflict, StoreFull


class SqliteStore:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS generation (id INTEGER PRIMARY KEY CHECK (id = 0), value INTEGER)"
        )
        self._db.execute("INSERT OR IGNORE INTO generation VALUES (0, 0)")

    def load(self, prefix: str) -> dict[str, bytes]:
        rows = self._db.execute(
            "SELECT key, value FROM records WHERE key >= ? AND key < ?", (prefix, prefix + "\uffff")
        )
        return {key: bytes(value) for key, value in rows}

    def get(self, key: str) -> bytes | None:
        row = self._db.execute("SELECT value FROM records WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def generation(self) -> int:
        return int(self._db.execute("SELECT value FROM generation").fetchone()[0])

    def commit(self, puts: dict[str, Record], deletes: list[str], expected_generation: int) -> int:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            current = self.generation()
            if current != expected_generation:
                raise StoreConflict(
                    f"{self.path} is at generation {current}, this tree loaded {expected_generation}"
                )
            db.executemany("DELETE FROM records WHERE key = ?", [(key,) for key in deletes])
            db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?)", list(puts.items()))
            db.execute("UPDATE generation SET value = ?", (current + 1,))
        except sqlite3.OperationalError as error:
            db.execute("ROLLBACK")
            if "full" in str(error):
                raise StoreFull(str(error)) from None
            raise
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return current + 1

    def __repr__(self) -> str:
        return f"SqliteStore({self.path!r})"

    def close(self) -> None:
        self._db.close()
