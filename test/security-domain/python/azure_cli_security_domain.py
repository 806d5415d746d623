"""Runs the Azure CLI's own `az keyvault security-domain` code against an mhsm server.

The functions are those of Debian's azure-cli (azure/cli/command_modules/keyvault/custom.py:
security_domain_download, security_domain_init_recovery, security_domain_restore_blob,
security_domain_upload), called unchanged with the v7.2 KeyVaultClient the CLI vendors. Only the
CLI's plumbing is stood in for: `cmd.get_models` (which hands out the vendored models) and the
vendored package's __init__, which imports a module Debian does not ship (the client itself does
not need it). hsm_name is the server's URL, as az's validator would make it.

Environment: MHSM_* (test/rbac/python/mhsm_client.py), SD_ACTION, and SD_ARGS (a JSON object).
Prints one JSON document: the operation status, or {"error": {"status", "body"}} when the server
refused a request.
"""
import json
import os
import sys
import types

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "rbac", "python"))

import azure.cli.command_modules.keyvault.vendored_sdks as vendored  # noqa: E402

_T1 = "azure.cli.command_modules.keyvault.vendored_sdks.azure_keyvault_t1"
_package = types.ModuleType(_T1)
_package.__path__ = [os.path.join(vendored.__path__[0], "azure_keyvault_t1")]
sys.modules[_T1] = _package

from azure.cli.command_modules.keyvault import custom  # noqa: E402
from azure.cli.command_modules.keyvault.vendored_sdks.azure_keyvault_t1.v7_2 import models  # noqa: E402
from azure.cli.command_modules.keyvault.vendored_sdks.azure_keyvault_t1.v7_2.key_vault_client import (  # noqa: E402
    KeyVaultClient,
)
from msrest.authentication import BasicTokenAuthentication  # noqa: E402

from mhsm_client import credential, vault_url  # noqa: E402


class Cmd:
    """What custom.py asks of az's command object: the vendored models by name."""

    def get_models(self, *names, **_):
        found = [getattr(models, name) for name in names]
        return found[0] if len(found) == 1 else found


def client():
    token = credential().get_token("https://managedhsm.azure.net/.default").token
    return KeyVaultClient(BasicTokenAuthentication({"access_token": token}))


def status_of(result):
    if result is None:
        return None
    return {"status": getattr(result, "status", None), "status_details": getattr(result, "status_details", None)}


action = os.environ["SD_ACTION"]
args = json.loads(os.environ.get("SD_ARGS", "{}"))
hsm = vault_url()
try:
    if action == "download":
        # az keyvault security-domain download --sd-wrapping-keys ... --sd-quorum M --security-domain-file F
        out = status_of(
            custom.security_domain_download(
                Cmd(), client(), hsm, args["certificates"], args["file"], args["quorum"]
            )
        )
    elif action == "init-recovery":
        # az keyvault security-domain init-recovery --sd-exchange-key F (the transfer key's certificate)
        custom.security_domain_init_recovery(client(), hsm, args["exchangeKey"])
        out = {"exchangeKey": args["exchangeKey"]}
    elif action == "restore-blob":
        # az keyvault security-domain restore-blob: no HSM involved, Microsoft's crypto only.
        custom.security_domain_restore_blob(
            args["file"], args["exchangeKey"], args["privateKeys"], args["blob"], args.get("passwords")
        )
        out = {"blob": args["blob"]}
    elif action == "upload-blob":
        # az keyvault security-domain upload --restore-blob --sd-file BLOB
        out = status_of(custom.security_domain_upload(Cmd(), client(), hsm, args["blob"], restore_blob=True))
    else:
        raise SystemExit(f"unknown SD_ACTION {action}")
except models.KeyVaultErrorException as error:
    out = {"error": {"status": error.response.status_code, "body": error.response.json()}}
print(json.dumps(out))
