"""Keys and envelope encryption: payloads sealed to the members concerned, keys encrypted at rest."""

from origo_node.crypto.envelope import open_envelope, recipients, seal
from origo_node.crypto.keys import EncryptionPrivateKey, EncryptionPublicKey, load_public_key
from origo_node.crypto.keystore import load_encryption_key, save_encryption_key
from origo_node.crypto.signing import load_signing_key, new_signing_key
from origo_node.crypto.suites import SuiteId

__all__ = [
    "EncryptionPrivateKey",
    "EncryptionPublicKey",
    "SuiteId",
    "load_encryption_key",
    "load_public_key",
    "load_signing_key",
    "new_signing_key",
    "open_envelope",
    "recipients",
    "save_encryption_key",
    "seal",
]
