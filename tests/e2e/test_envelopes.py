"""Envelopes served by the real server verify with `ctdl verify`; tampered ones do not."""
from __future__ import annotations

import base64
import copy
import json
import subprocess

import pytest

from e2e_support import CTDL, REPO, credential, new_ctid, organization, verify


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def tamper_decoded(env: dict) -> dict:
    env = copy.deepcopy(env)
    env["decoded_resource"]["@graph"][0]["ceterms:name"] = {"en-US": "Something Else Entirely"}
    return env


def tamper_resource(env: dict) -> dict:
    """Change the signed payload inside the JWS (keeping the signature): the signature breaks."""
    env = copy.deepcopy(env)
    header, payload, signature = env["resource"].split(".")
    doc = json.loads(_unb64(payload))
    doc["@graph"][0]["ceterms:name"] = {"en-US": "Something Else Entirely"}
    env["resource"] = ".".join([header, _b64(json.dumps(doc).encode()), signature])
    return env


def tamper_both(env: dict) -> dict:
    """decoded_resource and digest changed together: the signature still tells."""
    from service.registry.signing import digest

    env = tamper_decoded(env)
    env["node_headers"]["resource_digest"] = digest(env["decoded_resource"])
    return env


def tamper_digest(env: dict) -> dict:
    env = copy.deepcopy(env)
    env["node_headers"]["resource_digest"] = "0" * 64
    return env


def tamper_signature(env: dict) -> dict:
    env = copy.deepcopy(env)
    header, payload, signature = env["resource"].split(".")
    raw = bytearray(_unb64(signature))
    raw[0] ^= 1
    env["resource"] = ".".join([header, payload, _b64(bytes(raw))])
    return env


def tamper_key(env: dict) -> dict:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    env = copy.deepcopy(env)
    env["resource_public_key"] = Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return env


@pytest.fixture(scope="module")
def published(server):
    """An envelope with three versions (one update, one delete) and its revisions."""
    client, org = server.org_client()
    assert client.post("/organization/publish", data=organization(org)).status_code == 200
    cred = new_ctid()
    r = client.post("/credential/publish", data=credential(cred, org))
    assert r.status_code == 200
    envelope_id = r.json()["RegistryEnvelopeIdentifier"]
    assert client.post("/credential/publish", data=credential(cred, org, "Welding Level Two")).status_code == 200
    org_envelope_id = client.post("/organization/publish", data=organization(org)).json()["RegistryEnvelopeIdentifier"]
    return server, envelope_id, org_envelope_id, client, cred


def test_envelope_verifies(published, tmp_path):
    server, envelope_id, org_envelope_id, _, _ = published
    for eid in (envelope_id, org_envelope_id):
        env = server.client().get(f"/envelopes/{eid}").json()
        proc = verify(env, tmp_path)        # no trusted key: said to be self-consistency only
        assert proc.returncode == 0 and proc.stdout.startswith("self-consistent only"), proc.stdout + proc.stderr
        proc = verify(env, tmp_path, "--registry", server.url)     # the key the server serves
        assert proc.returncode == 0 and proc.stdout.startswith("verified:"), proc.stdout + proc.stderr
        assert "/registry/public-key" in proc.stdout
    for rev in server.client().get(f"/envelopes/{envelope_id}/revisions").json():
        proc = verify(rev, tmp_path, "--registry", server.url)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    # another registry's key (a data folder of its own) did not sign it
    from service.registry.signing import load_or_create_signing_key

    load_or_create_signing_key(tmp_path / "elsewhere")
    proc = verify(env, tmp_path, "--registry", str(tmp_path / "elsewhere"))
    assert proc.returncode == 1 and "not the trusted key" in proc.stdout


@pytest.mark.parametrize("tamper", [tamper_decoded, tamper_resource, tamper_both, tamper_digest,
                                    tamper_signature, tamper_key])
def test_tampered_envelope_fails(published, tmp_path, tamper):
    server, envelope_id, _, _, _ = published
    env = server.client().get(f"/envelopes/{envelope_id}").json()
    proc = verify(tamper(env), tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "not verified" in proc.stdout


def test_deleted_and_listed_envelopes_verify(published, tmp_path):
    server, envelope_id, _, client, cred = published
    listed = server.client().get("/envelopes", params={"per_page": 100}).json()
    assert listed
    for i, env in enumerate(listed[:3]):
        proc = verify(env, tmp_path, "--registry", server.url, name=f"listed{i}.json")
        assert proc.returncode == 0 and proc.stdout.startswith("verified:"), proc.stdout
    assert client.delete(f"/resources/{cred}").status_code == 200
    env = server.client().get(f"/envelopes/{envelope_id}").json()
    assert env["node_headers"]["deleted_at"]
    assert verify(env, tmp_path, "--registry", server.url).returncode == 0


def test_verify_unusable_file(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    proc = subprocess.run([*CTDL, "verify", str(tmp_path / "bad.json")], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = verify({"envelope_id": "x"}, tmp_path)
    assert proc.returncode == 1
