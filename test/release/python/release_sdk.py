"""azure-keyvault-keys (python3-azure 4.8.0b3) secure key release against mhsm's built-in test
attestation authority, written the way the SDK's own release tests are (get a token from
<authority>/generate-test-token, a policy with claim sdk-test equals True); then a token minted
for a runtime key this script made, and the released key unwrapped with the `cryptography`
package: a third implementation beside node:crypto and the server. Prints one JSON document.
"""
import base64
import json
import os
import sys

import requests
from azure.core.exceptions import HttpResponseError
from azure.keyvault.keys import KeyClient, KeyExportEncryptionAlgorithm, KeyReleasePolicy
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap_with_padding

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "rbac", "python"))
from mhsm_client import credential, vault_url  # noqa: E402

client = KeyClient(vault_url(), credential(), verify_challenge_resource=False)
attestation_uri = vault_url() + "/test-attestation"
ca = os.environ["REQUESTS_CA_BUNDLE"]
out = {}


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def policy(claim="sdk-test", value=True, **kwargs):
    document = {"anyOf": [{"anyOf": [{"claim": claim, "equals": value}], "authority": attestation_uri + "/"}], "version": "1.0.0"}
    return KeyReleasePolicy(json.dumps(document).encode(), **kwargs)


def error_of(call):
    try:
        call()
    except HttpResponseError as error:
        return {"status": error.status_code, "code": error.error.code if error.error else None, "message": error.message}
    return None


token = requests.get(attestation_uri + "/generate-test-token", verify=ca).json()["token"]

created = client.create_rsa_key("py-release", exportable=True, release_policy=policy())
out["created"] = {
    "exportable": created.properties.exportable,
    "policy": json.loads(created.properties.release_policy.encoded_policy),
    "content_type": created.properties.release_policy.content_type,
}
result = client.release_key(
    "py-release", token, version=created.properties.version,
    algorithm=KeyExportEncryptionAlgorithm.rsa_aes_key_wrap_384, nonce="py-nonce",
)
payload = json.loads(b64url_decode(result.value.split(".")[1]))
out["released"] = {"enc": payload["request"]["enc"], "nonce": payload["request"]["nonce"], "kty": payload["response"]["key"]["key"]["kty"]}

# A token for this script's own runtime key; the released key unwrapped with `cryptography`.
runtime = rsa.generate_private_key(public_exponent=65537, key_size=2048)
pem = runtime.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
mine = requests.post(attestation_uri + "/tokens", json={"claims": {"sdk-test": True}, "runtimeKey": pem}, verify=ca).json()["token"]
jws = client.release_key("py-release", mine).value
header_b64, payload_b64, signature_b64 = jws.split(".")
header = json.loads(b64url_decode(header_b64))
signer = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
signer.public_key().verify(b64url_decode(signature_b64), (header_b64 + "." + payload_b64).encode(), padding.PKCS1v15(), hashes.SHA256())
payload = json.loads(b64url_decode(payload_b64))
key_hsm = json.loads(b64url_decode(payload["response"]["key"]["key"]["key_hsm"]))
ciphertext = b64url_decode(key_hsm["ciphertext"])
kek = runtime.decrypt(ciphertext[:256], padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None))
private = serialization.load_der_private_key(aes_key_unwrap_with_padding(kek, ciphertext[256:]), password=None)
out["unwrapped_n_matches"] = private.public_key().public_numbers().n == int.from_bytes(created.key.n, "big")

# Update: a new mutable policy, then an immutable one that cannot change again.
updated = client.update_key_properties("py-release", release_policy=policy("sdk-test", False))
out["updated_policy"] = json.loads(updated.properties.release_policy.encoded_policy)
out["release_after_update"] = error_of(lambda: client.release_key("py-release", token))
locked = client.update_key_properties("py-release", release_policy=policy(immutable=True))
out["immutable"] = locked.properties.release_policy.immutable
out["change_immutable"] = error_of(lambda: client.update_key_properties("py-release", release_policy=policy("other", 1)))
out["exportable_without_policy"] = error_of(lambda: client.create_rsa_key("py-bad", exportable=True))
print(json.dumps(out))
