"""The azure-keyvault-keys (python3-azure) KeyClient and CryptographyClient against mhsm.

Signatures are checked locally with the `cryptography` package from the public JWK the server
returned: a third implementation beside node:crypto and the openssl command. Prints one JSON
document; the TypeScript test asserts on it.
"""
import base64
import hashlib
import json
import os
import sys

from azure.core.exceptions import HttpResponseError
from azure.keyvault.keys import JsonWebKey, KeyClient, KeyRotationLifetimeAction, KeyRotationPolicy
from azure.keyvault.keys.crypto import (
    CryptographyClient,
    EncryptionAlgorithm,
    KeyWrapAlgorithm,
    SignatureAlgorithm,
)
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "rbac", "python"))
from mhsm_client import credential, vault_url  # noqa: E402

cred = credential()
client = KeyClient(vault_url(), cred, verify_challenge_resource=False)
out = {}


def crypto_client(key):
    return CryptographyClient(key, cred, verify_challenge_resource=False)


def b64(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def error_of(call):
    try:
        call()
    except HttpResponseError as error:
        return {"status": error.status_code, "type": type(error).__name__, "code": error.error.code if error.error else None}
    return None


# Create: the request says RSA / EC / oct, the response says -HSM.
rsa_key = client.create_rsa_key("py-rsa", size=3072, public_exponent=65537, hardware_protected=True)
ec_key = client.create_ec_key("py-ec", curve="P-256K")
oct_key = client.create_oct_key("py-oct", size=256, hardware_protected=True)
out["created"] = [
    {"kty": k.key_type, "ops": k.key_operations, "id": k.id} for k in (rsa_key, ec_key, oct_key)
]
out["rsa_n_bytes"] = len(rsa_key.key.n)
out["oct_has_k"] = oct_key.key.k is not None

# Get the latest version (the SDK asks for /keys/{name}/ with an empty version) and by version.
second = client.create_ec_key("py-ec", curve="P-256K", tags={"v": "2"})
latest = client.get_key("py-ec")
by_version = client.get_key("py-ec", version=ec_key.properties.version)
out["latest_is_second"] = latest.properties.version == second.properties.version
out["by_version_x_matches"] = by_version.key.x == ec_key.key.x

# Lists, in pages of two.
for i in range(3):
    client.create_oct_key(f"py-paged-{i}", size=128)
pages = [[p.name for p in page] for page in client.list_properties_of_keys(max_page_size=2).by_page()]
out["key_pages"] = pages
out["versions"] = sorted(p.version for p in client.list_properties_of_key_versions("py-ec"))

# Update attributes, tags and operations.
updated = client.update_key_properties("py-oct", enabled=False, tags={"team": "py"}, key_operations=["wrapKey", "unwrapKey"])
out["updated"] = {"enabled": updated.properties.enabled, "tags": updated.properties.tags, "ops": updated.key_operations}
client.update_key_properties("py-oct", enabled=True)

# Import a JWK with private parts.
private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
numbers = private.private_numbers()


def int_bytes(value):
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


jwk = JsonWebKey(
    kty="RSA",
    n=int_bytes(numbers.public_numbers.n),
    e=int_bytes(numbers.public_numbers.e),
    d=int_bytes(numbers.d),
    p=int_bytes(numbers.p),
    q=int_bytes(numbers.q),
    dp=int_bytes(numbers.dmp1),
    dq=int_bytes(numbers.dmq1),
    qi=int_bytes(numbers.iqmp),
)
imported = client.import_key("py-imported", jwk)
out["imported"] = {"kty": imported.key_type, "has_d": imported.key.d is not None, "has_p": imported.key.p is not None}

# Signatures, verified here from the public JWK.
rsa_public = rsa.RSAPublicNumbers(
    int.from_bytes(rsa_key.key.e, "big"), int.from_bytes(rsa_key.key.n, "big")
).public_key()
digest = hashlib.sha256(b"python signs").digest()
rsa_crypto = crypto_client(rsa_key)
ps = rsa_crypto.sign(SignatureAlgorithm.ps256, digest).signature
rs = rsa_crypto.sign(SignatureAlgorithm.rs256, digest).signature
checks = {}
try:
    rsa_public.verify(ps, digest, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), utils.Prehashed(hashes.SHA256()))
    checks["PS256"] = True
except InvalidSignature:
    checks["PS256"] = False
try:
    rsa_public.verify(rs, digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    checks["RS256"] = True
except InvalidSignature:
    checks["RS256"] = False
ec_public = ec.EllipticCurvePublicNumbers(
    int.from_bytes(second.key.x, "big"), int.from_bytes(second.key.y, "big"), ec.SECP256K1()
).public_key()
es = crypto_client(second).sign(SignatureAlgorithm.es256_k, digest).signature
r, s = int.from_bytes(es[:32], "big"), int.from_bytes(es[32:], "big")
try:
    ec_public.verify(utils.encode_dss_signature(r, s), digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    checks["ES256K"] = True
except InvalidSignature:
    checks["ES256K"] = False
checks["server_verify_ps256"] = rsa_crypto.verify(SignatureAlgorithm.ps256, digest, ps).is_valid
out["signatures"] = checks

# Encryption: RSA-OAEP-256 encrypted by the SDK (locally, from the public key) decrypts on the server.
secret = os.urandom(32)
encrypted = rsa_crypto.encrypt(EncryptionAlgorithm.rsa_oaep_256, secret)
out["rsa_oaep_256_round_trip"] = rsa_crypto.decrypt(EncryptionAlgorithm.rsa_oaep_256, encrypted.ciphertext).plaintext == secret

# AES-GCM on the HSM, checked with the `cryptography` AESGCM of an imported key.
aes_bytes = os.urandom(32)
aes_key = client.import_key("py-aes", JsonWebKey(kty="oct-HSM", k=aes_bytes))
aes_crypto = crypto_client(aes_key)
gcm = aes_crypto.encrypt(EncryptionAlgorithm.a256_gcm, b"python gcm", additional_authenticated_data=b"aad")
local = AESGCM(aes_bytes).decrypt(gcm.iv, gcm.ciphertext + gcm.tag, b"aad")
back = aes_crypto.decrypt(
    EncryptionAlgorithm.a256_gcm, gcm.ciphertext, iv=gcm.iv, authentication_tag=gcm.tag,
    additional_authenticated_data=b"aad",
).plaintext
out["gcm"] = {"local": local.decode(), "server": back.decode(), "iv_len": len(gcm.iv), "tag_len": len(gcm.tag)}
wrapped = aes_crypto.wrap_key(KeyWrapAlgorithm.aes_256, secret)
out["aes_kw_round_trip"] = aes_crypto.unwrap_key(KeyWrapAlgorithm.aes_256, wrapped.encrypted_key).key == secret

# Rotation and its policy.
policy = client.update_key_rotation_policy(
    "py-rsa",
    KeyRotationPolicy(),
    lifetime_actions=[KeyRotationLifetimeAction("Rotate", time_before_expiry="P30D")],
    expires_in="P90D",
)
read_policy = client.get_key_rotation_policy("py-rsa")
rotated = client.rotate_key("py-rsa")
out["rotation"] = {
    "expires_in": read_policy.expires_in,
    "actions": [[getattr(a.action, "value", a.action), a.time_before_expiry] for a in read_policy.lifetime_actions],
    "new_version": rotated.properties.version != rsa_key.properties.version,
    "new_expiry": rotated.properties.expires_on is not None,
}

# Soft delete, recover, purge, and a deleted name.
deleted = client.begin_delete_key("py-oct").result()
out["deleted"] = {
    "recovery_id": deleted.recovery_id,
    "has_dates": deleted.deleted_date is not None and deleted.scheduled_purge_date is not None,
    "listed": "py-oct" in [d.name for d in client.list_deleted_keys()],
    "fetched": client.get_deleted_key("py-oct").name,
}
out["reuse_deleted_name"] = error_of(lambda: client.create_oct_key("py-oct", size=128))
recovered = client.begin_recover_deleted_key("py-oct").result()
out["recovered"] = recovered.name
client.begin_delete_key("py-oct").result()
client.purge_deleted_key("py-oct")
out["after_purge"] = error_of(lambda: client.get_deleted_key("py-oct"))

# Backup and restore.
blob = client.backup_key("py-ec")
client.begin_delete_key("py-ec").result()
client.purge_deleted_key("py-ec")
restored = client.restore_key_backup(blob)
out["restored"] = {"id_matches": restored.id == second.id, "versions": len(list(client.list_properties_of_key_versions("py-ec")))}

out["random"] = len(client.get_random_bytes(32))
out["missing"] = error_of(lambda: client.get_key("no-such-key"))

print(json.dumps(out))
