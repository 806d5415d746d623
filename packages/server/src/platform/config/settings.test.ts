import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { mergeServerConfig } from "./load-server-config.js";
import { ConfigError, parseServerConfig, serverConfigSchema } from "./server-config.js";
import {
  SETTING_LIST,
  type Setting,
  type SettingName,
  settingDefaultMarkdown,
  settingFileKey,
} from "./settings.js";

const README = new URL("../../../../../README.md", import.meta.url);

/** A setting's row of README.md's Configuration table: flag, environment, config file, default, what. */
function expectedRow(name: SettingName, setting: Setting): string[] {
  const list = (text: string, note: string) => (setting.repeats ? `${text} (${note})` : text);
  return [
    setting.flag !== undefined ? list(`\`${setting.flag} ${setting.value ?? "<value>"}\``, "repeatable") : "",
    setting.env !== undefined ? list(`\`${setting.env}\``, "comma-separated") : "",
    `\`${settingFileKey(name)}\``,
    settingDefaultMarkdown(setting),
    setting.description,
  ];
}

const expectedRows = SETTING_LIST.filter(
  ([, setting]) => setting.flag !== undefined || setting.env !== undefined,
).map(([name, setting]) => expectedRow(name, setting));

/** The rows of the first table in README.md's Configuration section, header and rule left out. */
async function readmeRows(): Promise<string[][]> {
  const text = await readFile(README, "utf8");
  const section = text.slice(text.indexOf("\n## Configuration\n"));
  const lines = section.split("\n").slice(1);
  const start = lines.findIndex((line) => line.startsWith("|"));
  const table = lines.slice(start, lines.slice(start).findIndex((line) => !line.startsWith("|")) + start);
  return table.slice(2).map((line) =>
    line
      .slice(1, -1)
      .split("|")
      .map((cell) => cell.trim()),
  );
}

function markdown(rows: string[][]): string {
  const header = ["flag", "environment", "config file", "default", "what"];
  return [header, header.map(() => "-"), ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
}

describe("server settings", () => {
  it("README.md's Configuration table has a row for each setting, with its names and default", async () => {
    const rows = await readmeRows();
    assert.ok(rows.length > 0, "README.md has a Configuration table");
    // On a difference, the message ends with the table to paste (then `npx prettier --write README.md`).
    assert.deepEqual(
      rows,
      expectedRows,
      `README.md's Configuration table should be:\n${markdown(expectedRows)}\n`,
    );
  });

  it("declares each flag, environment variable and config-file key once", () => {
    for (const field of ["flag", "env"] as const) {
      const names = SETTING_LIST.map(([, setting]) => setting[field]).filter((name) => name !== undefined);
      assert.equal(new Set(names).size, names.length, `${field} names are unique`);
    }
    const keys = SETTING_LIST.map(([name]) => settingFileKey(name));
    assert.equal(new Set(keys).size, keys.length);
    for (const [name, setting] of SETTING_LIST) {
      assert.ok(setting.env?.startsWith("MHSM_") ?? true, name);
      assert.ok(setting.flag === undefined || /^--[a-z][a-z0-9-]*$/.test(setting.flag), name);
      // A top-level key is in the schema itself; a dotted one is part of a file-only object.
      const [top] = settingFileKey(name).split(".") as [string];
      assert.ok(top.replace("[]", "") in serverConfigSchema.shape, `${name}: ${top} is a config key`);
    }
  });

  it("keeps secrets off the command line", () => {
    const key = SETTING_LIST.find(([name]) => name === "storageAccountKey")?.[1];
    assert.equal(key?.flag, undefined);
    assert.equal(key?.env, "MHSM_STORAGE_ACCOUNT_KEY");
    const pin = SETTING_LIST.find(([name]) => name === "pkcs11Pin")?.[1];
    assert.equal(pin?.flag, undefined, "the PKCS#11 PIN has no flag: it would show in ps");
    assert.equal(pin?.env, "MHSM_PKCS11_PIN");
  });
});

describe("mergeServerConfig", () => {
  const merge = (
    file: Record<string, unknown>,
    flags: Parameters<typeof mergeServerConfig>[1],
    env: Record<string, string> = {},
  ) => parseServerConfig(mergeServerConfig(file, flags, env));

  it("takes a flag over the environment over the file over the default", () => {
    const file = { port: 1, listPageSize: 2, hsmName: "filehsm" };
    const env = { MHSM_PORT: "3", MHSM_LIST_PAGE_SIZE: "4" };
    const config = merge(file, { port: "5" }, env);
    assert.equal(config.port, 5);
    assert.equal(config.listPageSize, 4);
    assert.equal(config.hsmName, "filehsm");
    assert.equal(config.logLevel, "info");
  });

  it("collects repeated flags and comma-separated values; a flag's list replaces the environment's", () => {
    const a = "00000000-0000-0000-0000-00000000000a";
    const b = "00000000-0000-0000-0000-00000000000b";
    const c = "00000000-0000-0000-0000-00000000000c";
    assert.deepEqual(merge({}, {}, { MHSM_ADMINISTRATORS: `${a},${b}` }).administrators, [a, b]);
    assert.deepEqual(
      merge({}, { administrators: [`${a},${b}`, c] }, { MHSM_ADMINISTRATORS: c }).administrators,
      [a, b, c],
    );
    assert.deepEqual(merge({}, { tlsNames: [] }, { MHSM_TLS_NAMES: "x" }).tlsNames, []);
  });

  it("puts the storage account's name and key into storageIdentity, keeping the file's other part", () => {
    const config = merge(
      { storageIdentity: { accountName: "file", accountKey: "filekey" } },
      { storageAccountName: "flag" },
    );
    assert.deepEqual(config.storageIdentity, { accountName: "flag", accountKey: "filekey" });
    const fromEnv = merge({}, {}, { MHSM_STORAGE_ACCOUNT_NAME: "n", MHSM_STORAGE_ACCOUNT_KEY: "k" });
    assert.deepEqual(fromEnv.storageIdentity, { accountName: "n", accountKey: "k" });
    // Blank variables of a deployment that has no storage identity are no error.
    const blank = merge({}, {}, { MHSM_STORAGE_ACCOUNT_NAME: "", MHSM_STORAGE_ACCOUNT_KEY: "" });
    assert.equal(blank.storageIdentity, undefined);
  });

  it("adds --oidc-issuer's issuer to the file's trusted issuers", () => {
    const fileIssuer = { issuer: "https://a.example/", jwksUri: "https://a.example/keys" };
    const config = merge(
      { trustedIssuers: [fileIssuer] },
      { oidcIssuer: "https://b.example/", oidcJwksUri: "https://b.example/keys" },
      { MHSM_OIDC_AUDIENCES: "api://x,api://y" },
    );
    assert.deepEqual(config.trustedIssuers, [
      fileIssuer,
      { issuer: "https://b.example/", jwksUri: "https://b.example/keys", audiences: ["api://x", "api://y"] },
    ]);
    assert.throws(
      () => merge({}, { oidcIssuer: "https://b.example/" }),
      (error) =>
        error instanceof ConfigError && /--oidc-issuer and --oidc-jwks-uri go together/.test(error.message),
    );
  });

  it("names the config key of a bad value", () => {
    assert.throws(
      () => merge({}, {}, { MHSM_LIST_PAGE_SIZE: "many" }),
      (error) => error instanceof ConfigError && /^invalid configuration: listPageSize: /.test(error.message),
    );
    assert.throws(
      () => merge({}, {}, { MHSM_STORAGE_ACCOUNT_KEY: "k" }),
      (error) => error instanceof ConfigError && /storageIdentity\.accountName/.test(error.message),
    );
  });
});
