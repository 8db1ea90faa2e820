"""A throwaway PostgreSQL 15 on 127.0.0.1 and a random port (initdb refuses root: run as postgres)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.engine import Database, open_postgresql


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    return None


@dataclass
class PostgresServer:
    datadir: Path
    port: int
    run_as: list[str]
    pg_ctl: str
    #: a database at the latest schema, made once (:meth:`fresh_database` copies it): no connection is left on it
    _template: str | None = field(default=None, init=False, repr=False)

    @property
    def base_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def empty_database_url(self, prefix: str = "t_") -> str:
        """A new, empty database on the server (no schema): its URL."""
        name = prefix + uuid.uuid4().hex[:12]
        admin = open_postgresql(f"{self.base_url}/postgres")
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        return f"{self.base_url}/{name}"

    def _create_database(self, name: str, template: str | None = None) -> None:
        admin = open_postgresql(f"{self.base_url}/postgres")
        try:
            with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        finally:
            admin.dispose()

    def fresh_database(self) -> Iterator[Database]:
        """A new database at the latest schema, as ``migrations.create_schema`` makes it: a copy (``CREATE
        DATABASE ... TEMPLATE``) of one it made once on this server, not ``create_schema`` again per test."""
        if self._template is None:
            name = "template_" + uuid.uuid4().hex[:12]
            self._create_database(name)
            made = open_postgresql(f"{self.base_url}/{name}")
            try:
                migrations.create_schema(made)
            finally:
                made.dispose()
            self._template = name
        name = "t_" + uuid.uuid4().hex[:12]
        self._create_database(name, self._template)
        db = open_postgresql(f"{self.base_url}/{name}")
        try:
            yield db
        finally:
            db.dispose()

    def start(self) -> None:
        """Start it again after :meth:`stop` (same folder, same port): an outage in the middle of a test."""
        folder = self.datadir.parent
        subprocess.run([*self.run_as, self.pg_ctl, "-D", str(self.datadir), "-w", "-t", "30", "-l",
                        str(folder / "log"), "-o", f"-h 127.0.0.1 -p {self.port} -k {folder} -F", "start"],
                       capture_output=True, check=True)

    def terminate_connections(self, database: str) -> int:
        """End, on the server, every connection to the database ``database`` (what a restart or a dropped network
        does to a client): how many were ended."""
        admin = open_postgresql(f"{self.base_url}/postgres")
        try:
            with admin.engine.connect() as conn:
                ended = conn.exec_driver_sql(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s "
                    "AND pid <> pg_backend_pid()", (database,)).scalar_one()
                conn.commit()
        finally:
            admin.dispose()
        return int(ended)

    def stop(self) -> None:
        subprocess.run([*self.run_as, self.pg_ctl, "-D", str(self.datadir), "-m", "immediate", "stop"],
                       capture_output=True, check=False)


def start_postgres(tmp: Path) -> PostgresServer | None:
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl or os.environ.get("ADOPTION_DESKTOP_NO_PG"):
        return None
    run_as: list[str] = []
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return None
        run_as = ["runuser", "-u", "postgres", "--"]
        try:
            shutil.chown(tmp, "postgres")
        except (LookupError, OSError):
            return None
        os.chmod(tmp, 0o700)
    datadir = tmp / "data"
    port = _free_port()
    init = subprocess.run([*run_as, initdb, "-D", str(datadir), "-A", "trust", "-U", "postgres", "--no-sync"],
                          capture_output=True, check=False)
    if init.returncode != 0:
        return None
    start = subprocess.run(
        [*run_as, pg_ctl, "-D", str(datadir), "-w", "-t", "30", "-l", str(tmp / "log"), "-o",
         f"-h 127.0.0.1 -p {port} -k {tmp} -F", "start"], capture_output=True, check=False)
    if start.returncode != 0:
        return None
    return PostgresServer(datadir, port, run_as, pg_ctl)
