"""The backup snippets of the azure-keyvault-administration README, run against mhsm + Azurite.

Backs up, changes the HSM (a role definition and assignment created after the backup), restores,
and reports what the HSM holds at each step. Environment: MHSM_* (see mhsm_client.py), plus
CONTAINER_URL and SAS_TOKEN.
"""
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "rbac", "python"))

from azure.keyvault.administration import (  # noqa: E402
    KeyVaultAccessControlClient,
    KeyVaultBackupClient,
    KeyVaultRoleScope,
)
from mhsm_client import credential, vault_url  # noqa: E402

cred = credential()
backup_client = KeyVaultBackupClient(vault_url(), cred, verify_challenge_resource=False)
access = KeyVaultAccessControlClient(vault_url(), cred, verify_challenge_resource=False)
container_url = os.environ["CONTAINER_URL"]
sas_token = os.environ["SAS_TOKEN"]
out = {}


def custom_roles():
    return sorted(d.name for d in access.list_role_definitions(KeyVaultRoleScope.GLOBAL) if d.role_type == "CustomRole")


def assignments():
    return sorted(a.name for a in access.list_role_assignments(KeyVaultRoleScope.GLOBAL))


before_role = access.set_role_definition(KeyVaultRoleScope.GLOBAL, role_name="kept by the backup")
out["roles_at_backup"] = custom_roles()
out["assignments_at_backup"] = assignments()

# Create a backup
backup_poller = backup_client.begin_backup(container_url, sas_token)
out["continuation_token"] = backup_poller.continuation_token()
backup = backup_poller.result()
out["folder_url"] = backup.folder_url
out["backup_status"] = backup_poller.status()

# Resume polling from the continuation token, as another process would
resumed = backup_client.begin_backup(container_url, sas_token, continuation_token=out["continuation_token"])
out["resumed_folder_url"] = resumed.result().folder_url

# Change the HSM after the backup
after_role = access.set_role_definition(KeyVaultRoleScope.GLOBAL, role_name="made after the backup")
access.create_role_assignment(KeyVaultRoleScope.KEYS, after_role.id, str(uuid.uuid4()))
access.delete_role_definition(KeyVaultRoleScope.GLOBAL, before_role.name)
out["roles_before_restore"] = custom_roles()

# Restore the whole HSM
restore_poller = backup_client.begin_restore(backup.folder_url, sas_token)
restore_poller.wait()
out["restore_status"] = restore_poller.status()
out["roles_after_restore"] = custom_roles()
out["assignments_after_restore"] = assignments()

print(json.dumps(out))
