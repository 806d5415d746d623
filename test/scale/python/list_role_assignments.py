"""Lists role assignments with the official azure-keyvault-administration client, which follows
the server's nextLinks page by page. Prints {scope: [assignment names in the order listed]} for
each scope given in MHSM_SCOPES (comma-separated)."""
import json
import os

from azure.identity import ClientSecretCredential
from azure.keyvault.administration import KeyVaultAccessControlClient

credential = ClientSecretCredential(
    os.environ["MHSM_TENANT_ID"],
    os.environ["MHSM_CLIENT_ID"],
    os.environ["MHSM_CLIENT_SECRET"],
    authority=os.environ["MHSM_AUTHORITY"],
    instance_discovery=False,
)
client = KeyVaultAccessControlClient(os.environ["MHSM_VAULT_URL"], credential, verify_challenge_resource=False)
out = {}
for scope in os.environ["MHSM_SCOPES"].split(","):
    out[scope] = [assignment.name for assignment in client.list_role_assignments(scope)]
print(json.dumps(out))
