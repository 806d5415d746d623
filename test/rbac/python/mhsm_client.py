"""Builds the official SDK clients against an mhsm server from the environment the tests set."""
import os

from azure.identity import ClientSecretCredential


def credential():
    # authority: the server's own identity provider; instance_discovery=False because it is not
    # an Entra cloud. The CA comes from REQUESTS_CA_BUNDLE.
    return ClientSecretCredential(
        os.environ["MHSM_TENANT_ID"],
        os.environ["MHSM_CLIENT_ID"],
        os.environ["MHSM_CLIENT_SECRET"],
        authority=os.environ["MHSM_AUTHORITY"],
        instance_discovery=False,
    )


def vault_url():
    return os.environ["MHSM_VAULT_URL"]
