"""Keys through a full backup, full restore and selective key restore, with the official SDKs.

Environment: MHSM_* (see mhsm_client.py), CONTAINER_URL and SAS_TOKEN.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "rbac", "python"))

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError  # noqa: E402
from azure.keyvault.administration import KeyVaultAccessControlClient, KeyVaultBackupClient, KeyVaultRoleScope  # noqa: E402
from azure.keyvault.keys import KeyClient  # noqa: E402
from azure.keyvault.keys.crypto import CryptographyClient, SignatureAlgorithm  # noqa: E402
from mhsm_client import credential, vault_url  # noqa: E402

cred = credential()
keys = KeyClient(vault_url(), cred, verify_challenge_resource=False)
backups = KeyVaultBackupClient(vault_url(), cred, verify_challenge_resource=False)
container_url = os.environ["CONTAINER_URL"]
sas = os.environ["SAS_TOKEN"]
out = {}

# An Administrator manages the HSM, not its keys: grant ourselves the key roles, as an operator would.
access = KeyVaultAccessControlClient(vault_url(), cred, verify_challenge_resource=False)
for role in ("21dbd100-6940-42c2-9190-5d6cb909625b", "515eb02d-2335-4d2d-92f2-b1cbdf9c3778"):  # Crypto User, Crypto Officer
    access.create_role_assignment(KeyVaultRoleScope.GLOBAL, role, os.environ["MHSM_OBJECT_ID"])


def state():
    live = {}
    for props in keys.list_properties_of_keys():
        versions = sorted(v.version for v in keys.list_properties_of_key_versions(props.name))
        latest = keys.get_key(props.name)
        live[props.name] = {"versions": versions, "tags": latest.properties.tags or {}, "enabled": latest.properties.enabled,
                            "kty": str(latest.key_type)}
    deleted = sorted(d.name for d in keys.list_deleted_keys())
    return {"live": live, "deleted": deleted}


# Keys at backup time: two versions of a signing key, a tagged EC key, a disabled oct key, a deleted key.
signer = keys.create_rsa_key("signer", size=2048)
signer = keys.create_rsa_key("signer", size=2048, tags={"v": "2"})
keys.create_ec_key("tagged", curve="P-256", tags={"team": "payments"})
keys.create_oct_key("disabled", size=256, hardware_protected=True, enabled=False)
keys.create_ec_key("gone", curve="P-384")
keys.begin_delete_key("gone").wait()
digest = bytes(range(32))
signature = CryptographyClient(signer, cred, verify_challenge_resource=False).sign(SignatureAlgorithm.rs256, digest).signature
out["at_backup"] = state()

folder_url = backups.begin_backup(container_url, sas).result().folder_url
out["folder_url"] = folder_url

# Change the HSM after the backup
keys.create_ec_key("new-after-backup", curve="P-256")
keys.begin_delete_key("tagged").wait()
keys.purge_deleted_key("tagged")
keys.create_rsa_key("signer", size=2048)
out["before_restore"] = state()

backups.begin_restore(folder_url, sas).wait()
out["after_restore"] = state()
restored_signer = keys.get_key("signer", signer.properties.version)
verified = CryptographyClient(restored_signer, cred, verify_challenge_resource=False).verify(SignatureAlgorithm.rs256, digest, signature)
out["signature_verifies_after_restore"] = verified.is_valid

# Selective restore: delete and purge one key, create another, restore only the first
keys.begin_delete_key("signer").wait()
keys.purge_deleted_key("signer")
keys.create_ec_key("created-later", curve="P-256")
backups.begin_restore(folder_url, sas, key_name="signer").wait()
out["after_selective"] = state()

# Selective restore of a key that exists: as on a Managed HSM, the versions it has are kept
backups.begin_restore(folder_url, sas, key_name="signer").wait()
out["after_selective_again"] = state()

# A key the backup does not hold
try:
    backups.begin_restore(folder_url, sas, key_name="never-existed").wait()
    out["selective_missing"] = "restored"
except HttpResponseError as e:
    out["selective_missing"] = {"message": str(e.message)}

print(json.dumps(out))
