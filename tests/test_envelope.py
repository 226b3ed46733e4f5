"""Signing key, canonical JSON, compact JWS and envelope verification (service.registry.signing, service.registry.envelope)."""
from __future__ import annotations

import base64
import json
import os
import stat
from dataclasses import dataclass, replace

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from service.registry.envelope import build_envelope, revision_summary, verify_envelope
from service.registry.signing import (
    SignatureError, canonical_json, digest, load_or_create_signing_key, public_key_pem, sign_jws,
    verify_jws,
)
from transformer.errors import CtdlError

CTID = "ce-5f8a2c4e-1b7d-4e3a-9c6f-0a1b2c3d4e5f"
ORG = "ce-0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
PAYLOAD = {
    "@context": "https://credreg.net/ctdl/schema/context/json",
    "@id": f"https://credentialengineregistry.org/resources/{CTID}",
    "@graph": [{"@type": "ceterms:Certificate", "ceterms:ctid": CTID,
                "ceterms:name": {"en-US": "Soudure — niveau 2"}}],
}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@dataclass
class Record:
    envelope_id: str
    ctid: str
    ctdl_type: str
    owned_by: str
    published_by: str
    version: int
    resource: str
    resource_digest: str
    decoded_resource: dict
    public_key: str
    created_at: str
    updated_at: str
    deleted_at: str | None


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_record(key, payload=PAYLOAD, version=1):
    return Record("0b6e6f0e-2a34-4d1c-9a53-5c6f7e8d9a0b", CTID, "ceterms:Certificate", ORG, ORG, version,
                  sign_jws(payload, key), digest(payload), payload, public_key_pem(key),
                  "2026-11-23T19:42:20.123456Z", "2026-11-23T19:42:20.123456Z", None)


def envelope_for(key, payload=PAYLOAD):
    return build_envelope(make_record(key, payload))


# --- signing key file --------------------------------------------------------------------------------

def test_key_is_created_0600_in_a_new_directory_and_reused(tmp_path):
    data_dir = tmp_path / "data" / "nested"
    key = load_or_create_signing_key(data_dir)
    path = data_dir / "signing-key.pem"
    assert path.is_file()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = load_or_create_signing_key(data_dir)
    assert public_key_pem(again) == public_key_pem(key)
    assert [p.name for p in data_dir.iterdir()] == ["signing-key.pem"]  # no temporary file left


def test_key_file_is_0600_even_with_a_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        load_or_create_signing_key(tmp_path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "signing-key.pem").st_mode) == 0o600


@pytest.mark.parametrize("content", [b"", b"not a key\n",
                                     b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"])
def test_corrupt_key_file_is_an_error_and_is_not_replaced(tmp_path, content):
    path = tmp_path / "signing-key.pem"
    path.write_bytes(content)
    with pytest.raises(CtdlError) as info:
        load_or_create_signing_key(tmp_path)
    assert info.value.code == "config.signing-key"
    assert str(path) in info.value.message
    assert path.read_bytes() == content


def test_key_file_with_another_key_type_is_an_error(tmp_path):
    other = ec.generate_private_key(ec.SECP256R1())
    pem = other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    (tmp_path / "signing-key.pem").write_bytes(pem)
    with pytest.raises(CtdlError, match="not an Ed25519 key"):
        load_or_create_signing_key(tmp_path)


# --- canonical JSON, digest, JWS ---------------------------------------------------------------------

def test_canonical_json_is_sorted_compact_utf8():
    assert canonical_json({"b": 1, "a": {"d": [1, 2], "c": "é"}}) == '{"a":{"c":"é","d":[1,2]},"b":1}'.encode()
    assert canonical_json({"a": 1, "b": 2}) == canonical_json({"b": 2, "a": 1})
    assert digest({"a": 1}) == "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_sign_verify_round_trip(key):
    token = sign_jws(PAYLOAD, key)
    header, payload, _ = token.split(".")
    assert "=" not in token
    assert json.loads(unb64(header)) == {"alg": "EdDSA", "typ": "JWT"}
    assert unb64(payload) == canonical_json(PAYLOAD)
    assert verify_jws(token, public_key_pem(key)) == PAYLOAD


def test_verify_with_another_key_fails(key):
    token = sign_jws(PAYLOAD, key)
    with pytest.raises(SignatureError, match="bad signature"):
        verify_jws(token, public_key_pem(Ed25519PrivateKey.generate()))


def test_rs256_from_another_registry_verifies(rsa_key):
    header = b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps(PAYLOAD, indent=2).encode())  # not canonical: other registries' bytes
    signature = rsa_key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    token = f"{header}.{payload}.{b64(signature)}"
    assert verify_jws(token, public_key_pem(rsa_key)) == PAYLOAD
    tampered = f"{header}.{payload}.{b64(bytes([signature[0] ^ 1]) + signature[1:])}"
    with pytest.raises(SignatureError, match="bad signature"):
        verify_jws(tampered, public_key_pem(rsa_key))


def test_key_must_match_the_algorithm(key, rsa_key):
    eddsa_token = sign_jws(PAYLOAD, key)
    with pytest.raises(SignatureError, match="key mismatch"):
        verify_jws(eddsa_token, public_key_pem(rsa_key))
    # An RS256 header with an Ed25519 key must not fall back to EdDSA.
    _, payload, signature = eddsa_token.split(".")
    relabelled = f"{b64(json.dumps({'alg': 'RS256'}).encode())}.{payload}.{signature}"
    with pytest.raises(SignatureError, match="key mismatch"):
        verify_jws(relabelled, public_key_pem(key))


def test_short_rsa_keys_are_refused():
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    header, payload = b64(b'{"alg":"RS256"}'), b64(canonical_json(PAYLOAD))
    signature = weak.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(SignatureError, match="at least 2048"):
        verify_jws(f"{header}.{payload}.{b64(signature)}", public_key_pem(weak))


@pytest.mark.parametrize("alg", ["none", "None", "HS256", "ES256", None])
def test_unsupported_algorithms_are_refused(key, alg):
    header = {"typ": "JWT"} if alg is None else {"alg": alg, "typ": "JWT"}
    payload = b64(canonical_json(PAYLOAD))
    for signature in ("", b64(b"x" * 64)):
        token = f"{b64(json.dumps(header).encode())}.{payload}.{signature}"
        with pytest.raises(SignatureError, match="unsupported algorithm") as info:
            verify_jws(token, public_key_pem(key))
        assert info.value.code == "envelope.signature"


@pytest.mark.parametrize("token", [
    "", "a.b", "a.b.c.d", "!!!.e30.AAAA", "e30=.e30.AAAA", "bm90IGpzb24.e30.AAAA",
    b64(b"[]") + ".e30.AAAA", "e30.e30.AAAA", 42,
])
def test_malformed_tokens_are_refused(key, token):
    with pytest.raises(SignatureError):
        verify_jws(token, public_key_pem(key))


def test_crit_header_is_refused(key):
    header = b64(canonical_json({"alg": "EdDSA", "crit": ["exp"], "exp": 1}))
    payload = b64(canonical_json(PAYLOAD))
    signature = key.sign(f"{header}.{payload}".encode())
    with pytest.raises(SignatureError, match="crit"):
        verify_jws(f"{header}.{payload}.{b64(signature)}", public_key_pem(key))


def test_bad_public_key_pem_is_a_signature_error(key):
    with pytest.raises(SignatureError, match="PEM"):
        verify_jws(sign_jws(PAYLOAD, key), "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----\n")


# --- envelopes ---------------------------------------------------------------------------------------

def test_build_envelope_shape(key):
    record = make_record(key)
    v2 = replace(record, version=2, updated_at="2026-11-24T08:00:00.000000Z")
    env = build_envelope(v2, [record, revision_summary(v2)])
    assert list(env) == ["envelope_id", "envelope_community", "envelope_type", "envelope_version",
                         "envelope_ceterms_ctid", "envelope_ctdl_type", "owned_by", "published_by",
                         "resource", "resource_format", "resource_encoding", "resource_public_key",
                         "decoded_resource", "node_headers"]
    assert (env["envelope_community"], env["envelope_type"], env["envelope_version"]) == \
        ("ce_registry", "resource_data", "1.0.0")
    assert (env["resource_format"], env["resource_encoding"]) == ("json", "jwt")
    assert env["envelope_ceterms_ctid"] == CTID
    assert env["resource_public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    assert env["node_headers"] == {
        "resource_digest": digest(PAYLOAD),
        "revision_history": [
            {"version": 1, "digest": digest(PAYLOAD), "updated_at": "2026-11-23T19:42:20.123456Z", "published_by": ORG},
            {"version": 2, "digest": digest(PAYLOAD), "updated_at": "2026-11-24T08:00:00.000000Z", "published_by": ORG},
        ],
        "created_at": "2026-11-23T19:42:20.123456Z", "updated_at": "2026-11-24T08:00:00.000000Z",
        "deleted_at": None,
    }
    json.dumps(env)  # serialisable
    env["decoded_resource"]["@graph"][0]["ceterms:ctid"] = "changed"
    assert v2.decoded_resource["@graph"][0]["ceterms:ctid"] == CTID  # a copy, not the record's dict
    assert build_envelope(record)["node_headers"]["revision_history"] == []


def test_valid_envelope_has_no_problems(key):
    assert verify_envelope(envelope_for(key)) == []


def test_valid_rs256_envelope_from_another_registry(rsa_key):
    header, payload = b64(b'{"alg":"RS256"}'), b64(json.dumps(PAYLOAD).encode())
    signature = rsa_key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    record = replace(make_record(Ed25519PrivateKey.generate()), resource=f"{header}.{payload}.{b64(signature)}",
                     public_key=public_key_pem(rsa_key))
    assert verify_envelope(build_envelope(record)) == []


def test_tampered_decoded_resource_is_reported(key):
    env = envelope_for(key)
    env["decoded_resource"]["@graph"][0]["ceterms:name"]["en-US"] = "Soudure — niveau 3"
    problems = verify_envelope(env)
    assert any("differs from the signed payload" in p for p in problems)
    assert any("resource_digest" in p for p in problems)


def test_true_and_one_are_not_the_same_payload(key):
    payload = {**PAYLOAD, "x:flag": True}
    env = envelope_for(key, payload)
    env["decoded_resource"]["x:flag"] = 1
    env["node_headers"]["resource_digest"] = digest(env["decoded_resource"])
    assert any("differs from the signed payload" in p for p in verify_envelope(env))


@pytest.mark.parametrize("part", [0, 1, 2])
def test_one_changed_character_in_resource_is_reported(key, part):
    env = envelope_for(key)
    parts = env["resource"].split(".")
    position = len(parts[part]) // 2
    old = parts[part][position]
    parts[part] = parts[part][:position] + ("A" if old != "A" else "B") + parts[part][position + 1:]
    env["resource"] = ".".join(parts)
    problems = verify_envelope(env)
    assert any(p.startswith("resource signature does not verify") for p in problems), problems


def test_tampered_digest_is_reported(key):
    env = envelope_for(key)
    env["node_headers"]["resource_digest"] = digest({"something": "else"})
    problems = verify_envelope(env)
    assert len(problems) == 1 and "resource_digest" in problems[0]


def test_another_public_key_is_reported(key):
    env = envelope_for(key)
    env["resource_public_key"] = public_key_pem(Ed25519PrivateKey.generate())
    problems = verify_envelope(env)
    assert len(problems) == 1 and "bad signature" in problems[0]


def test_resigned_with_another_key_but_old_public_key_is_reported(key):
    env = envelope_for(key)
    env["resource"] = sign_jws(PAYLOAD, Ed25519PrivateKey.generate())
    assert any("bad signature" in p for p in verify_envelope(env))


def test_ctid_mismatch_is_reported(key):
    env = envelope_for(key)
    env["envelope_ceterms_ctid"] = ORG
    problems = verify_envelope(env)
    assert len(problems) == 1 and "differs from the payload's main CTID" in problems[0]
    env["envelope_ceterms_ctid"] = CTID.upper()
    assert verify_envelope(env) == []


def test_top_level_ctid_is_the_main_ctid(key):
    payload = {"@type": "ceterms:Certificate", "ceterms:ctid": CTID}
    assert verify_envelope(envelope_for(key, payload)) == []
    env = envelope_for(key, {"@type": "ceterms:Certificate"})
    assert any("no main CTID" in p for p in verify_envelope(env))


@pytest.mark.parametrize("field", ["envelope_id", "resource", "resource_public_key", "decoded_resource",
                                   "node_headers", "envelope_ceterms_ctid"])
def test_missing_fields_are_reported(key, field):
    env = envelope_for(key)
    del env[field]
    assert f"missing field: {field}" in verify_envelope(env)


def test_missing_digest_is_reported(key):
    env = envelope_for(key)
    del env["node_headers"]["resource_digest"]
    assert verify_envelope(env) == ["missing field: node_headers.resource_digest"]


@pytest.mark.parametrize("envelope", [
    None, [], "text", 3,
    {"resource": 5, "resource_public_key": ["x"], "decoded_resource": "x", "node_headers": "x",
     "envelope_ceterms_ctid": 7},
    {"resource": "a.b.c", "resource_public_key": "nope", "decoded_resource": {"x": float("nan")},
     "node_headers": {"resource_digest": "00"}, "envelope_ceterms_ctid": CTID},
    {"resource": "a.b.c", "resource_public_key": "k", "decoded_resource": {1: "a", "b": 2},
     "node_headers": {"resource_digest": 5}, "envelope_ceterms_ctid": CTID},
])
def test_bad_input_never_raises(envelope):
    problems = verify_envelope(envelope)
    assert problems and all(isinstance(p, str) for p in problems)


def test_key_creation_never_overwrites_a_key_written_meanwhile(tmp_path):
    # The race: another process writes the key after our exists() check and before our write.
    from service.registry.signing import _create_exclusive
    path = tmp_path / "signing-key.pem"
    path.write_bytes(b"theirs")
    assert _create_exclusive(path, b"ours") is False
    assert path.read_bytes() == b"theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["signing-key.pem"]
