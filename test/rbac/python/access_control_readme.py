"""The access-control snippets of the azure-keyvault-administration README, run against mhsm.

Prints one JSON document describing what each step returned; the TypeScript test asserts on it.
"""
import json
import uuid

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.keyvault.administration import (
    KeyVaultAccessControlClient,
    KeyVaultDataAction,
    KeyVaultPermission,
    KeyVaultRoleScope,
)

from mhsm_client import credential, vault_url

client = KeyVaultAccessControlClient(vault_url(), credential(), verify_challenge_resource=False)
out = {}

# List the role definitions
definitions = list(client.list_role_definitions(KeyVaultRoleScope.GLOBAL))
out["definitions"] = [
    {"name": d.name, "role_name": d.role_name, "type": d.role_type, "id": d.id,
     "data_actions": [str(a) for p in d.permissions for a in p.data_actions]}
    for d in definitions
]

# Set, update and get a role definition
definition_name = str(uuid.uuid4())
permissions = [KeyVaultPermission(data_actions=[KeyVaultDataAction.READ_HSM_KEY])]
created = client.set_role_definition(KeyVaultRoleScope.GLOBAL, permissions=permissions, role_name="my custom role", name=definition_name)
out["created_definition"] = {"name": created.name, "role_name": created.role_name, "type": created.role_type,
                             "data_actions": [str(a) for p in created.permissions for a in p.data_actions],
                             "assignable_scopes": [str(s) for s in created.assignable_scopes]}
new_permissions = [KeyVaultPermission(data_actions=[], not_data_actions=[KeyVaultDataAction.CREATE_HSM_KEY])]
updated = client.set_role_definition(KeyVaultRoleScope.GLOBAL, permissions=new_permissions, name=definition_name, role_name="my custom role", description="updated")
fetched = client.get_role_definition(KeyVaultRoleScope.GLOBAL, definition_name)
out["updated_definition"] = {"name": updated.name, "description": fetched.description,
                             "not_data_actions": [str(a) for p in fetched.permissions for a in p.not_data_actions],
                             "data_actions": [str(a) for p in fetched.permissions for a in p.data_actions]}

# List the role assignments
assignments = list(client.list_role_assignments(KeyVaultRoleScope.GLOBAL))
out["assignments_before"] = [{"name": a.name, "scope": a.properties.scope, "role_definition_id": a.properties.role_definition_id,
                              "principal_id": a.properties.principal_id} for a in assignments]

# Create, get and delete a role assignment (of the custom role, at /keys)
principal_id = str(uuid.uuid4())
assignment = client.create_role_assignment(KeyVaultRoleScope.KEYS, created.id, principal_id)
out["created_assignment"] = {"name": assignment.name, "id": assignment.role_assignment_id, "scope": assignment.properties.scope,
                             "role_definition_id": assignment.properties.role_definition_id,
                             "principal_id": assignment.properties.principal_id}
got = client.get_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)
out["got_assignment"] = {"name": got.name, "principal_id": got.properties.principal_id}

# The definition is in use: the service deletes it anyway (azure-sdk-for-java's access-control
# tests clean up the definition before the assignment made with it); the assignment stays,
# readable, naming the deleted definition.
try:
    client.delete_role_definition(KeyVaultRoleScope.GLOBAL, definition_name)
    out["delete_in_use"] = "deleted"
except HttpResponseError as e:
    out["delete_in_use"] = {"status": e.status_code, "code": e.error.code if e.error else None}
try:
    client.get_role_definition(KeyVaultRoleScope.GLOBAL, definition_name)
    out["definition_after_delete_in_use"] = "still there"
except ResourceNotFoundError as e:
    out["definition_after_delete_in_use"] = {"status": e.status_code}
# A role definition is named by its GUID, not its role name: the service answers 404 with its own
# words (azure-sdk-for-js keyvault-admin's tracing test and recording make this very call).
try:
    client.get_role_definition(KeyVaultRoleScope.GLOBAL, "Managed HSM Crypto Auditor")
    out["definition_by_role_name"] = "found"
except ResourceNotFoundError as e:
    out["definition_by_role_name"] = {"status": e.status_code, "code": e.error.code, "message": e.error.message}
orphan = client.get_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)
out["orphaned_assignment"] = {"name": orphan.name, "role_definition_id": orphan.properties.role_definition_id}

client.delete_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)
try:
    client.get_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)
    out["after_delete"] = "still there"
except ResourceNotFoundError as e:
    out["after_delete"] = {"status": e.status_code, "type": "ResourceNotFoundError"}

# Deleting what is gone is not an error for the SDK (it ignores 404)
client.delete_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)
client.delete_role_definition(KeyVaultRoleScope.GLOBAL, definition_name)
try:
    client.get_role_definition(KeyVaultRoleScope.GLOBAL, definition_name)
    out["definition_after_delete"] = "still there"
except ResourceNotFoundError as e:
    out["definition_after_delete"] = {"status": e.status_code, "type": "ResourceNotFoundError"}
client.delete_role_definition(KeyVaultRoleScope.GLOBAL, definition_name)
# ...and so is deleting a name that is not a GUID: the service answers 404, as for any missing one
try:
    client.delete_role_definition(KeyVaultRoleScope.GLOBAL, "foobar")
    out["delete_non_guid"] = "ignored"
except HttpResponseError as e:
    out["delete_non_guid"] = {"status": e.status_code, "code": e.error.code if e.error else None}

# A specific key scope, as a string
key_assignment = client.create_role_assignment("/keys/my-key", "Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/21dbd100-6940-42c2-9190-5d6cb909625b", principal_id)
out["key_scope_assignment"] = {"scope": key_assignment.properties.scope, "id": key_assignment.role_assignment_id}
out["key_scope_list"] = sorted(a.properties.scope for a in client.list_role_assignments("/keys/my-key"))
client.delete_role_assignment("/keys/my-key", key_assignment.name)

print(json.dumps(out))
