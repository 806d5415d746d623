"""Selective key restore over keys that exist, with the official SDKs, as the SDK's own live test
(test_selective_key_restore) does it: create a key, back up, restore that key while it exists.

Environment: MHSM_* (see mhsm_client.py), CONTAINER_URL, SAS_TOKEN, MHSM_OBJECT_ID, and
KEY_USER_* (a principal the test made, given Crypto User on /keys/signer only).
"""
import base64
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "rbac", "python"))

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError  # noqa: E402
from azure.identity import ClientSecretCredential  # noqa: E402
from azure.keyvault.administration import KeyVaultAccessControlClient, KeyVaultBackupClient, KeyVaultRoleScope  # noqa: E402
from azure.keyvault.keys import KeyClient, KeyRotationPolicy  # noqa: E402
from azure.keyvault.keys.crypto import CryptographyClient, SignatureAlgorithm  # noqa: E402
from mhsm_client import credential, vault_url  # noqa: E402

CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b"
CRYPTO_OFFICER = "515eb02d-2335-4d2d-92f2-b1cbdf9c3778"

cred = credential()
keys = KeyClient(vault_url(), cred, verify_challenge_resource=False)
backups = KeyVaultBackupClient(vault_url(), cred, verify_challenge_resource=False)
access = KeyVaultAccessControlClient(vault_url(), cred, verify_challenge_resource=False)
container_url = os.environ["CONTAINER_URL"]
sas = os.environ["SAS_TOKEN"]
key_user = ClientSecretCredential(
    os.environ["MHSM_TENANT_ID"],
    os.environ["KEY_USER_CLIENT_ID"],
    os.environ["KEY_USER_CLIENT_SECRET"],
    authority=os.environ["MHSM_AUTHORITY"],
    instance_discovery=False,
)
out = {}
digest = bytes(range(32))

for role in (CRYPTO_USER, CRYPTO_OFFICER):
    access.create_role_assignment(KeyVaultRoleScope.GLOBAL, role, os.environ["MHSM_OBJECT_ID"])
# A key-scoped grant: the key user may use "signer" and nothing else.
access.create_role_assignment("/keys/signer", CRYPTO_USER, os.environ["KEY_USER_OBJECT_ID"])


def describe(name):
    """Everything a restore could change about a key: versions, current version, attributes, tags, policy."""
    versions = {}
    for props in keys.list_properties_of_key_versions(name):
        versions[props.version] = {"tags": props.tags or {}, "enabled": props.enabled,
                                   "updated": props.updated_on.isoformat()}
    current = keys.get_key(name)
    policy = keys.get_key_rotation_policy(name)
    return {"versions": versions, "current": current.properties.version, "n": base64.b64encode(current.key.n or b"").decode(),
            "rotation_expires_in": policy.expires_in}


def sign(key, who=cred):
    return CryptographyClient(key, who, verify_challenge_resource=False).sign(SignatureAlgorithm.rs256, digest).signature


def verifies(name, version, signature, who=cred):
    key = keys.get_key(name, version)
    return CryptographyClient(key, who, verify_challenge_resource=False).verify(SignatureAlgorithm.rs256, digest, signature).is_valid


def restore(name):
    """The seed README's call; returns the job's status URL (from the poller's continuation token)."""
    poller = backups.begin_restore(folder_url, sas, key_name=name)
    poller.wait()
    return base64.b64decode(poller.continuation_token()).decode("ascii")


def key_user_signs():
    key = KeyClient(vault_url(), key_user, verify_challenge_resource=False).get_key("signer")
    return len(sign(key, key_user)) > 0


# At backup time: "signer" (one version, tags, a rotation policy), "twice" (two versions), "sleeper".
signer_v1 = keys.create_rsa_key("signer", size=2048, tags={"stage": "backed-up"})
keys.update_key_rotation_policy("signer", KeyRotationPolicy(expires_in="P90D"))
signature_v1 = sign(signer_v1)
out["key_user_signs_before"] = key_user_signs()
twice_v1 = keys.create_rsa_key("twice", size=2048)
twice_v2 = keys.create_rsa_key("twice", size=2048)
twice_signature = sign(twice_v1)
keys.create_ec_key("sleeper", curve="P-256", tags={"nap": "yes"})
out["sleeper_at_backup"] = sorted(v.version for v in keys.list_properties_of_key_versions("sleeper"))
out["twice_at_backup"] = sorted([twice_v1.properties.version, twice_v2.properties.version])

folder_url = backups.begin_backup(container_url, sas).result().folder_url

# After the backup: a new current version of "signer", other tags on its old version, another policy.
signer_v2 = keys.create_rsa_key("signer", size=2048, tags={"stage": "after-backup"})
keys.update_key_properties("signer", signer_v1.properties.version, tags={"stage": "edited-after-backup"})
keys.update_key_rotation_policy("signer", KeyRotationPolicy(expires_in="P60D"))
out["signer_v1"] = signer_v1.properties.version
out["signer_v2"] = signer_v2.properties.version
out["signer_before_restore"] = describe("signer")

# 1. Over a live key (the SDK's live test): succeeds, and keeps what the HSM has.
out["signer_status_url"] = restore("signer")
out["signer_after_restore"] = describe("signer")
out["signature_v1_verifies_after"] = verifies("signer", signer_v1.properties.version, signature_v1)
out["key_user_signs_after"] = key_user_signs()

# 2. Over a key purged and made anew after the backup: the backup's versions come back beside the new one.
keys.begin_delete_key("twice").wait()
keys.purge_deleted_key("twice")
twice_v3 = keys.create_rsa_key("twice", size=2048)
out["twice_v3"] = twice_v3.properties.version
out["twice_status_url"] = restore("twice")
out["twice_after_restore"] = describe("twice")
out["twice_signature_verifies_after"] = verifies("twice", twice_v1.properties.version, twice_signature)

# 3. Over a soft-deleted key: the job succeeds, the key stays deleted and unchanged.
keys.begin_delete_key("sleeper").wait()
out["sleeper_status_url"] = restore("sleeper")
try:
    keys.get_key("sleeper")
    out["sleeper_live_after_restore"] = True
except ResourceNotFoundError:
    out["sleeper_live_after_restore"] = False
out["sleeper_deleted_after_restore"] = keys.get_deleted_key("sleeper").name
keys.begin_recover_deleted_key("sleeper").wait()
out["sleeper_after_recover"] = sorted(v.version for v in keys.list_properties_of_key_versions("sleeper"))

# 4. A key the backup does not hold: the job fails, and the SDK raises its error.
try:
    restore("never-in-backup")
    out["missing"] = "restored"
except HttpResponseError as e:
    out["missing"] = {"message": str(e.message), "code": e.error.code if e.error else None}

print(json.dumps(out))
