"""The service's error texts as the official Python SDK (azure-keyvault-administration) shows them.

Environment: MHSM_* (see ../../rbac/python/mhsm_client.py). Prints one JSON document.
"""
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "rbac", "python"))

from azure.core.exceptions import HttpResponseError  # noqa: E402
from azure.keyvault.administration import KeyVaultAccessControlClient, KeyVaultBackupClient, KeyVaultRoleScope  # noqa: E402
from mhsm_client import credential, vault_url  # noqa: E402

cred = credential()
backups = KeyVaultBackupClient(vault_url(), cred, verify_challenge_resource=False)
access = KeyVaultAccessControlClient(vault_url(), cred, verify_challenge_resource=False)
out = {}


def failure(call):
    try:
        call()
    except HttpResponseError as error:
        return {
            "type": type(error).__name__,
            "status": error.status_code,
            "code": error.error.code if error.error else None,
            "message": error.error.message if error.error else None,
            "str": str(error),
        }
    return None


# A role assignment that is not there.
out["assignment_not_found"] = failure(lambda: access.get_role_assignment(KeyVaultRoleScope.GLOBAL, str(uuid.uuid4())))

# A malformed SAS with a folder URL that is no backup folder (the container alone): the SAS is
# checked first, as the service does.
out["restore_malformed_sas"] = failure(
    lambda: backups.begin_restore("https://account.blob.core.windows.net/backup", sas_token="bad_token")
)
# The same for a selective key restore.
out["selective_restore_malformed_sas"] = failure(
    lambda: backups.begin_restore(
        "https://account.blob.core.windows.net/backup", sas_token="bad_token", key_name="some-key"
    )
)
# And for a backup.
out["backup_malformed_sas"] = failure(
    lambda: backups.begin_backup("https://account.blob.core.windows.net/container", sas_token="bad_token")
)

print(json.dumps(out))
