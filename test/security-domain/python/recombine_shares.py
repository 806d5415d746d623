"""Recombines shares with the Azure CLI's own reader (security_domain/shared_secret.py, utils.py).

stdin: [{"required": M, "shares": ["<base64 of a decrypted share>", ...]}, ...]
stdout: ["<hex of the secret>" or "error: ...", ...]
"""
import base64
import json
import sys

from azure.cli.command_modules.keyvault.security_domain.shared_secret import SharedSecret
from azure.cli.command_modules.keyvault.security_domain.utils import Utils

out = []
for case in json.load(sys.stdin):
    arrays = [Utils.convert_to_uint16(bytearray(base64.b64decode(share))) for share in case["shares"]]
    try:
        out.append(bytes(SharedSecret.get_plaintext(arrays, required=case["required"])).hex())
    except Exception as error:  # noqa: BLE001 - reported to the test as data
        out.append(f"error: {error!r}")
print(json.dumps(out))
