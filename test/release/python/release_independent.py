"""azure-keyvault-keys (python3-azure) against an attestation authority the TypeScript test runs:
import an exportable key with a policy naming that authority, release it with the token the test
minted (env RELEASE_TOKEN, for the runtime key in env RUNTIME_KEY_PEM) and unwrap it with the
`cryptography` package; a token with the wrong claim is refused. Prints one JSON document.
"""
import base64
import json
import os
import sys

from azure.core.exceptions import HttpResponseError
from azure.keyvault.keys import KeyClient, KeyExportEncryptionAlgorithm, KeyReleasePolicy
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap_with_padding

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "rbac", "python"))
from mhsm_client import credential, vault_url  # noqa: E402

client = KeyClient(vault_url(), credential(), verify_challenge_resource=False)
authority = os.environ["AUTHORITY"]
runtime = serialization.load_pem_private_key(os.environ["RUNTIME_KEY_PEM"].encode(), password=None)
out = {}


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


document = {"version": "1.0.0", "anyOf": [{"authority": authority, "allOf": [
    {"claim": "x-ms-isolation-tee.x-ms-attestation-type", "equals": "sevsnpvm"}]}]}
mine = ec.generate_private_key(ec.SECP384R1())
numbers = mine.private_numbers()
size = 48
from azure.keyvault.keys import JsonWebKey  # noqa: E402

jwk = JsonWebKey(
    kty="EC", crv="P-384",
    x=numbers.public_numbers.x.to_bytes(size, "big"), y=numbers.public_numbers.y.to_bytes(size, "big"),
    d=numbers.private_value.to_bytes(size, "big"),
)
imported = client.import_key("py-independent", jwk, exportable=True, release_policy=KeyReleasePolicy(json.dumps(document).encode()))
out["imported_exportable"] = imported.properties.exportable

jws = client.release_key("py-independent", os.environ["RELEASE_TOKEN"], algorithm=KeyExportEncryptionAlgorithm.rsa_aes_key_wrap_256).value
payload = json.loads(b64url_decode(jws.split(".")[1]))
ciphertext = b64url_decode(json.loads(b64url_decode(payload["response"]["key"]["key"]["key_hsm"]))["ciphertext"])
kek = runtime.decrypt(ciphertext[:256], padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
released = serialization.load_der_private_key(aes_key_unwrap_with_padding(kek, ciphertext[256:]), password=None)
out["same_key"] = released.private_numbers().private_value == numbers.private_value

try:
    client.release_key("py-independent", os.environ["WRONG_TOKEN"])
    out["wrong_claim"] = None
except HttpResponseError as error:
    out["wrong_claim"] = {"status": error.status_code, "code": error.error.code if error.error else None}
print(json.dumps(out))
