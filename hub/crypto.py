"""Encryption of secrets at rest (connector credentials, signing keys) with rotatable keys."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretBox:
    """Encrypts with the newest key and decrypts with any configured one."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def encrypt(self, plaintext: bytes) -> bytes:
        return self._fernet.encrypt(plaintext)

    def decrypt(self, ciphertext: bytes) -> bytes:
        """The plaintext; raises ValueError when no configured key opens it."""
        try:
            return self._fernet.decrypt(ciphertext)
        except InvalidToken:
            raise ValueError("no configured encryption key decrypts this secret") from None

    def rotate(self, ciphertext: bytes) -> bytes:
        """The same plaintext re-encrypted under the newest key."""
        try:
            return self._fernet.rotate(ciphertext)
        except InvalidToken:
            raise ValueError("no configured encryption key decrypts this secret") from None
