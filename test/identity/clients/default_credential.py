"""Run by default-azure-credential.test.ts as an application would be: DefaultAzureCredential and
the clients are built with no options, everything comes from the environment (AZURE_AUTHORITY_HOST,
AZURE_TENANT_ID=adfs, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, REQUESTS_CA_BUNDLE). Prints one JSON
document. MHSM_VERIFY_CHALLENGE=0 turns the SDK's challenge resource check off (for a vault URL that
cannot pass it); otherwise the check stays on.
"""
import base64
import json
import os
import socket
import time

_getaddrinfo = socket.getaddrinfo


def _loopback_for_localhost(host, *args, **kwargs):
    # What systemd-resolved and nss-myhostname do (RFC 6761): every *.localhost name is loopback.
    # This machine's resolver does not, so the test stands in for it; the SDKs are unchanged.
    if isinstance(host, str) and host.lower().endswith(".localhost"):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_for_localhost

from azure.identity import DefaultAzureCredential  # noqa: E402
from azure.keyvault.administration import KeyVaultAccessControlClient, KeyVaultRoleScope  # noqa: E402
from azure.keyvault.keys import KeyClient  # noqa: E402

vault_url = os.environ["MHSM_VAULT_URL"]
options = {"verify_challenge_resource": False} if os.environ.get("MHSM_VERIFY_CHALLENGE") == "0" else {}
credential = DefaultAzureCredential()
token = credential.get_token(os.environ["MHSM_RESOURCE"] + "/.default")
payload = token.token.split(".")[1]
claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

access = KeyVaultAccessControlClient(vault_url, credential, **options)
role_names = sorted(d.role_name for d in access.list_role_definitions(KeyVaultRoleScope.GLOBAL))
keys = KeyClient(vault_url, credential, **options)
name = "dac-py-%d" % int(time.time() * 1000)
key = keys.create_rsa_key(name, size=2048)
print(json.dumps({"claims": claims, "roleNames": role_names, "keyId": key.id, "kty": str(key.key_type)}))
