"""The erasure salt: a secret that makes the erasure log's hashes useless without it.

dbt reads it from SEGWH_ERASURE_SALT. When that is not set, the command line keeps one in
data/erasure_salt (created once, readable by the owner only) so every build of this warehouse
uses the same salt. Losing or changing it makes logged erasures stop matching.
"""

from __future__ import annotations

import os
import secrets

from segwh import targets

SALT_VARIABLE = "SEGWH_ERASURE_SALT"


def ensure_erasure_salt() -> str:
    """Return the salt, from the environment or data/erasure_salt (created when missing)."""
    salt = os.environ.get(SALT_VARIABLE, "")
    if salt:
        if len(salt) < 16:
            raise SystemExit(f"{SALT_VARIABLE} must be at least 16 characters")
        return salt
    path = targets.PROJECT_DIR / "data" / "erasure_salt"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    salt = path.read_text().strip()
    os.environ[SALT_VARIABLE] = salt
    return salt
