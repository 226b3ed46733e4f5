"""The registry's signing key, canonical JSON, SHA-256 digests and compact JWS (RFC 7515).

Why this module exists: every published version is signed, so anyone holding an envelope can check
that the payload is the one the registry (or another registry) signed, and that nobody edited
``decoded_resource`` or the digest afterwards.  Everything is built on the ``cryptography`` package;
no JWT library, so the list of accepted algorithms is short and explicit (``EdDSA`` and ``RS256``;
``none`` and everything else is refused).

Canonical JSON (what the digest and our own signatures are over)::

    json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    encoded as UTF-8

i.e. keys sorted (by Python string order), no insignificant whitespace, non-ASCII characters kept
as UTF-8 rather than ``\\uXXXX`` escapes, and NaN/Infinity refused (they are not JSON).  This is
*not* RFC 8785 (JCS): numbers are written the way Python writes them.  The same bytes always come
from the same parsed document, which is all a digest needs.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from transformer import ConfigurationError, CtdlError

KEY_FILE = "signing-key.pem"
JWS_HEADER = {"alg": "EdDSA", "typ": "JWT"}
ALGORITHMS = ("EdDSA", "RS256")
# RSA keys shorter than this are refused: 1024-bit RSA is considered breakable (NIST SP 800-131A).
MIN_RSA_BITS = 2048
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


class SignatureError(CtdlError):
    """A JWS does not verify: bad signature, malformed token, refused algorithm, or wrong key."""

    code = "envelope.signature"


# --- the signing key ------------------------------------------------------------------------------

def load_or_create_signing_key(data_dir: Path) -> Ed25519PrivateKey:
    """Return the Ed25519 key kept in ``<data_dir>/signing-key.pem``, creating it on first run.

    The file is created with mode 0600 (it is the registry's identity).  An existing file that is
    not a readable, unencrypted Ed25519 private key is an error and is never replaced: replacing it
    would silently change the key every envelope was signed with.
    """
    data_dir = Path(data_dir)
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)   # the registry's data: its owner's only
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        if _create_exclusive(path, pem):
            return key
        # Another process created it between our check and our write: use theirs.
    return _load_key(path)


def _create_exclusive(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` (mode 0600) only if it does not exist; False if it already did.

    The key is written completely to a temporary file first and then hard-linked into place, so a
    second process starting at the same moment never reads a half-written key.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(tmp)


def _load_key(path: Path) -> Ed25519PrivateKey:
    def broken(why: str) -> ConfigurationError:
        return ConfigurationError(
            f"the signing key file {path} {why}. It is not replaced automatically (envelopes were "
            "signed with it): restore it from a backup, or delete it to create a new key.",
            code="config.signing-key")

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise broken(f"cannot be read ({exc.strerror or exc})") from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError as exc:  # encrypted with a password
        raise broken("is password-protected") from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise broken("is not a valid PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise broken(f"holds a {type(key).__name__}, not an Ed25519 key")
    return key


def public_key_pem(key) -> str:
    """The SubjectPublicKeyInfo PEM of ``key`` (a private or public key), as published in envelopes."""
    if hasattr(key, "public_key"):
        key = key.public_key()
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def load_public_key_pem(data: bytes) -> str:
    """The public key PEM of a PEM file holding a public key, or a private key (a registry's
    signing-key.pem: its public half). SignatureError when it is neither."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except TypeError as exc:
            raise SignatureError("the key file is password-protected: give the public key (PEM)") from exc
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise SignatureError("the key file is not a PEM public key (-----BEGIN PUBLIC KEY-----)") from exc
    return public_key_pem(key)


def same_public_key(a: str, b: str) -> bool:
    """Are two PEM texts the same public key (whatever their line breaks)?"""
    try:
        return load_public_key_pem(a.encode("ascii")) == load_public_key_pem(b.encode("ascii"))
    except (SignatureError, UnicodeEncodeError, AttributeError):
        return False


# --- canonical JSON and digest ----------------------------------------------------------------------

def canonical_json(payload) -> bytes:
    """The canonical bytes of ``payload`` (see the module docstring); digests are over these bytes."""
    return _CANONICAL.encode(payload).encode("utf-8")


# json.dumps with these options makes a new encoder on every call: a bulk row's digest asks four times
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def digest(payload) -> str:
    """SHA-256 (lower-case hex) of :func:`canonical_json` of ``payload``."""
    return hashlib.sha256(canonical_json(payload)).hexdigest()


# --- compact JWS ----------------------------------------------------------------------------------

def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(part: str, what: str) -> bytes:
    if not _B64URL.fullmatch(part) or len(part) % 4 == 1:
        raise SignatureError(f"malformed token: the {what} is not base64url without padding")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SignatureError(f"malformed token: the {what} is not base64url") from exc


def _json_object(raw: bytes, what: str) -> dict:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SignatureError(f"malformed token: the {what} is not UTF-8 JSON") from exc
    if not isinstance(value, dict):
        raise SignatureError(f"malformed token: the {what} is not a JSON object")
    return value


def sign_jws(payload: dict, key: Ed25519PrivateKey) -> str:
    """Compact JWS of the canonical JSON of ``payload``, header ``{"alg":"EdDSA","typ":"JWT"}``."""
    signing_input = f"{_b64encode(canonical_json(JWS_HEADER))}.{_b64encode(canonical_json(payload))}"
    signature = key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{_b64encode(signature)}"


def verify_jws(token: str, public_key_pem: str | bytes) -> dict:
    """Verify a compact JWS and return its payload (a JSON object).

    Accepts ``EdDSA`` with an Ed25519 key and ``RS256`` with an RSA key (other registries sign
    with RSA).  The algorithm comes from the header but must match the key's type, so a token
    cannot pick a weaker check than the key allows; ``none`` and ``crit`` extensions are refused.
    Raises :class:`SignatureError` for anything that does not verify.
    """
    if not isinstance(token, str):
        raise SignatureError("malformed token: not a string")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise SignatureError("malformed token: a compact JWS has three dot-separated parts")
    header_b64, payload_b64, signature_b64 = parts
    header = _json_object(_b64decode(header_b64, "header"), "header")
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise SignatureError(f"unsupported algorithm {alg!r}: only {', '.join(ALGORITHMS)} are accepted")
    if "crit" in header:
        raise SignatureError("unsupported token: the header has critical extensions ('crit')")
    signature = _b64decode(signature_b64, "signature")
    payload_raw = _b64decode(payload_b64, "payload")

    try:
        pem = public_key_pem.encode("ascii") if isinstance(public_key_pem, str) else public_key_pem
        public_key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError, UnicodeEncodeError, UnsupportedAlgorithm, AttributeError) as exc:
        raise SignatureError("the public key is not a valid PEM public key") from exc

    signing_input = f"{header_b64}.{payload_b64}".encode("ascii")
    try:
        if alg == "EdDSA":
            if not isinstance(public_key, Ed25519PublicKey):
                raise SignatureError(f"key mismatch: alg EdDSA needs an Ed25519 key, got {_kind(public_key)}")
            public_key.verify(signature, signing_input)
        else:
            if not isinstance(public_key, RSAPublicKey):
                raise SignatureError(f"key mismatch: alg RS256 needs an RSA key, got {_kind(public_key)}")
            if public_key.key_size < MIN_RSA_BITS:
                raise SignatureError(f"the RSA key has {public_key.key_size} bits; at least {MIN_RSA_BITS} are required")
            public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise SignatureError("bad signature: the token was not signed by this key, or was changed") from exc
    return _json_object(payload_raw, "payload")


def _kind(public_key) -> str:
    return type(public_key).__name__.lstrip("_").replace("PublicKey", "") + " key"
