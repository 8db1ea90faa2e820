"""One wrapper over the operating system's keyring (Windows Credential Manager on council PCs).

``keyrings.alt`` is never a dependency: on Linux it silently makes a plaintext file the default.
When no real backend exists (``fail.Keyring``, e.g. a server with no desktop session) the store says
so and the caller falls back to a passphrase-wrapped key.
"""

from __future__ import annotations

import contextlib

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

SERVICE = "Adoption Desktop"
_INSECURE_BACKEND_MODULES = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")


class SecretStore:
    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    @staticmethod
    def _backend() -> KeyringBackend:
        return keyring.get_keyring()

    def available(self) -> bool:
        backend = self._backend()
        module = type(backend).__module__
        if module.startswith(_INSECURE_BACKEND_MODULES):
            return False
        if type(backend).__name__ == "ChainerBackend":
            backends = getattr(backend, "backends", [])
            return any(not type(b).__module__.startswith(_INSECURE_BACKEND_MODULES) for b in backends)
        try:
            priority = float(getattr(backend, "priority", 1))
        except Exception:
            priority = 1.0
        return priority > 0

    def describe(self) -> str:
        """Where secrets live, for the user and IT (e.g. 'Windows Credential Manager')."""
        backend = self._backend()
        name = type(backend).__name__
        friendly = {
            "WinVaultKeyring": "Windows Credential Manager",
            "Keyring": "the macOS Keychain" if "macOS" in type(backend).__module__ else name,
            "SecretServiceKeyring": "the desktop Secret Service (GNOME Keyring / KWallet)",
        }
        return friendly.get(name, name) if self.available() else "no keyring available"

    def get(self, name: str) -> str | None:
        """The secret, or None when the keyring has no such entry. A keyring that cannot be read
        (locked, its service not running) raises :class:`KeyUnavailable` saying so: that is not a lost key."""
        try:
            return keyring.get_password(self.service, name)
        except keyring.errors.KeyringError as exc:
            from adoption_desktop.core.errors import KeyUnavailable

            raise KeyUnavailable(
                f"The system keyring ({self.describe()}) could not be read: {exc}. Unlock it or sign in to "
                "Windows again, then retry.") from exc

    def set(self, name: str, value: str) -> None:
        keyring.set_password(self.service, name, value)

    def delete(self, name: str) -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(self.service, name)
