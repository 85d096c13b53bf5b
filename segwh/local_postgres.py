"""Start and stop a throw-away PostgreSQL server on localhost for tests and local builds.

Uses the server binaries of the distribution's package (installed by `make` when missing).
PostgreSQL refuses to run as root, so when we are root the server runs as the `postgres` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing or the server did not start."""


@dataclass(frozen=True)
class LocalPostgres:
    data_dir: Path
    port: int
    user: str = "segwh"
    password: str = "segwh"
    database: str = "segwh"

    @property
    def env(self) -> dict[str, str]:
        """Environment variables that point the `postgres` profile at this server."""
        return {
            "SEGWH_PG_HOST": "127.0.0.1",
            "SEGWH_PG_PORT": str(self.port),
            "SEGWH_PG_USER": self.user,
            "SEGWH_PG_PASSWORD": self.password,
            "SEGWH_PG_DATABASE": self.database,
        }

    def start(self) -> "LocalPostgres":
        """Create the cluster when missing and start the server; a running server is reused."""
        if self.is_running():
            return self
        bin_dir = find_bin_dir()
        fresh = not (self.data_dir / "PG_VERSION").exists()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if fresh:
            pwfile = self.data_dir.parent / f".{self.data_dir.name}.pw"
            pwfile.write_text(self.password + "\n")
            self._chown(pwfile)
            self._chown(self.data_dir)
            self._run(
                [
                    str(bin_dir / "initdb"),
                    "-D", str(self.data_dir),
                    "-U", self.user,
                    "--pwfile", str(pwfile),
                    "-A", "md5",
                    "-E", "UTF8",
                    "--locale", "C",
                ]
            )
            pwfile.unlink()
        log = self.data_dir / "server.log"
        self._run(
            [
                str(bin_dir / "pg_ctl"),
                "-D", str(self.data_dir),
                "-l", str(log),
                "-w",
                "-t", "60",
                "-o", f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c timezone=UTC",
                "start",
            ]
        )
        if fresh:
            self._run(
                [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, self.database],
                extra_env={"PGPASSWORD": self.password},
            )
        return self

    def stop(self) -> None:
        if not (self.data_dir / "postmaster.pid").exists():
            return
        bin_dir = find_bin_dir()
        self._run([str(bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"])

    def is_running(self) -> bool:
        if not (self.data_dir / "postmaster.pid").exists():
            return False
        bin_dir = find_bin_dir()
        result = subprocess.run(
            [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
            capture_output=True,
        )
        return result.returncode == 0

    def _as_server_user(self) -> bool:
        return hasattr(os, "geteuid") and os.geteuid() == 0

    def _chown(self, path: Path) -> None:
        if self._as_server_user():
            shutil.chown(path, user="postgres", group="postgres")
            for parent in path.parents:
                # the server user must be able to reach the directory
                if parent == Path("/"):
                    break
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    os.chmod(parent, mode | 0o001)

    def _run(self, command: list[str], extra_env: dict[str, str] | None = None) -> None:
        env = {**os.environ, **(extra_env or {})}
        if self._as_server_user():
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )


def find_bin_dir() -> Path:
    """The directory with initdb and pg_ctl: PATH first, then the Debian layout."""
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found. Install them with `apt-get install postgresql` "
        "(`make test` and `make build TARGET=postgres` do this when run as root)."
    )
