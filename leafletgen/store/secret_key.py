"""The key that signs the forms' CSRF tokens: a file made on first start, shared by every server
that serves the same content folder, readable by its owner only, never in git."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ..errors import UserError

KEY_BYTES = 32


def load_secret_key(path: Path) -> bytes:
    """The key in `path`; made there (0600) when there is none yet."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read the secret key: {getattr(exc, 'strerror', None) or exc}") from None
    if text:
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) < 16:
            raise UserError(f"{path}: is not a secret key made by leafletgen (remove it: a new one is "
                            "made at the next start, and everyone signs in again)")
        return key
    return _make(path)


def _make(path: Path) -> bytes:
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
        descriptor = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(key.hex() + "\n")
        try:
            os.link(temporary, path)         # never over a key another server made meanwhile
        except FileExistsError:
            return load_secret_key(path)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as exc:
        raise UserError(f"{path}: cannot write the secret key: {exc.strerror or exc}") from None
    return key
