"""The settings snippets of the azure-keyvault-administration README, run against mhsm."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "rbac", "python"))

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError  # noqa: E402
from azure.keyvault.administration import KeyVaultSettingsClient  # noqa: E402
from mhsm_client import credential, vault_url  # noqa: E402

client = KeyVaultSettingsClient(vault_url(), credential(), verify_challenge_resource=False)
out = {}
out["listed"] = [{"name": s.name, "value": s.value, "type": str(s.type.value if hasattr(s.type, "value") else s.type)} for s in client.list_settings()]
setting = client.get_setting("AllowKeyManagementOperationsThroughARM")
out["got"] = {"name": setting.name, "value": setting.value}
updated = client.update_setting("AllowKeyManagementOperationsThroughARM", "true")
out["updated"] = {"name": updated.name, "value": updated.value}
out["after_update"] = client.get_setting("AllowKeyManagementOperationsThroughARM").value
try:
    client.update_setting("AllowKeyManagementOperationsThroughARM", "maybe")
    out["bad_value"] = "accepted"
except HttpResponseError as e:
    out["bad_value"] = {"status": e.status_code, "code": e.error.code if e.error else None}
try:
    client.get_setting("NoSuchSetting")
    out["unknown"] = "found"
except ResourceNotFoundError as e:
    out["unknown"] = {"status": e.status_code}
out["after_bad_value"] = client.get_setting("AllowKeyManagementOperationsThroughARM").value
print(json.dumps(out))
