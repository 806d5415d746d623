// What `npm test` needs besides node_modules, checked before anything else runs (the root
// `pretest` script). Each requirement names the Debian package that provides it. Missing ones
// are installed with apt-get when this runs as root on a machine that has it (a fresh CI
// machine: .ci/run); otherwise, or with --check-only, it stops at once naming each missing
// package and the exact command that installs them. No test is ever skipped for a missing tool.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";

const MINIMUM_NODE = [20, 19];

/** Is `command` an executable on PATH? */
function onPath(command) {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      const candidate = join(dir, command);
      return existsSync(candidate) && spawnSync("test", ["-x", candidate]).status === 0;
    });
}

function hasInitdb() {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return false;
  return readdirSync(root).some((version) => existsSync(join(root, version, "bin", "initdb")));
}

/** The official Python SDKs the tests use as the independent side, under Debian's python3. */
function hasPythonAzure() {
  const probe = spawnSync(
    "/usr/bin/python3",
    ["-c", "import azure.keyvault.administration, azure.keyvault.keys, azure.identity"],
    { stdio: "ignore" },
  );
  return probe.status === 0;
}

const REQUIREMENTS = [
  {
    package: "python3-azure",
    why: "the official Python SDKs (azure-keyvault-administration, -keys, azure-identity) under /usr/bin/python3",
    present: hasPythonAzure,
  },
  {
    package: "azure-cli",
    why: "Microsoft's security-domain code (az keyvault security-domain) as the independent side",
    present: () =>
      existsSync("/usr/lib/python3/dist-packages/azure/cli/command_modules/keyvault/security_domain"),
  },
  {
    package: "openssl",
    why: "cryptography cross-checks with the openssl command",
    present: () => onPath("openssl"),
  },
  {
    package: "postgresql",
    why: "throwaway PostgreSQL clusters (initdb): every server test runs on PostgreSQL too",
    present: hasInitdb,
  },
  {
    package: "util-linux",
    why: "runuser, to run PostgreSQL's initdb as the postgres user",
    present: () => onPath("runuser"),
  },
  { package: "tmux", why: "a real terminal for the CLI's terminal view", present: () => onPath("tmux") },
  {
    package: "git",
    why: "the fresh-clone test lists the repository's tracked files",
    present: () => onPath("git"),
  },
  {
    package: "softhsm2",
    why: "a throwaway PKCS#11 token (softhsm2-util, libsofthsm2.so) for the pkcs11 backend's tests",
    present: () => onPath("softhsm2-util") && existsSync("/usr/lib/softhsm/libsofthsm2.so"),
  },
  {
    package: "opensc",
    why: "pkcs11-tool, the independent look into the token in the pkcs11 backend's tests",
    present: () => onPath("pkcs11-tool"),
  },
  {
    package: "build-essential",
    why: "a C++ toolchain: npm builds the pkcs11js binding (an optional dependency) with it",
    present: () => onPath("g++") && onPath("make"),
  },
];

function missingRequirements() {
  return REQUIREMENTS.filter((requirement) => !requirement.present());
}

function installCommand(packages) {
  return `apt-get update && apt-get install -y ${packages.join(" ")}`;
}

function nodeIsNewEnough() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  return major > MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor >= MINIMUM_NODE[1]);
}

function stop(missing, reason) {
  const packages = missing.map((requirement) => requirement.package);
  const lines = [
    `npm test needs ${packages.length === 1 ? "this Debian package" : "these Debian packages"}, which ${
      packages.length === 1 ? "is" : "are"
    } missing${reason ? ` (${reason})` : ""}:`,
    ...missing.map((requirement) => `  ${requirement.package}: ${requirement.why}`),
    "Install with:",
    `  sudo sh -c '${installCommand(packages)}'`,
  ];
  process.stderr.write(`${lines.join("\n")}\n`);
  process.exit(1);
}

function main() {
  if (!nodeIsNewEnough()) {
    process.stderr.write(
      `npm test needs Node.js ${MINIMUM_NODE.join(".")} or newer; this is ${process.versions.node}\n`,
    );
    process.exit(1);
  }
  const missing = missingRequirements();
  if (missing.length === 0) return;

  const checkOnly = process.argv.includes("--check-only");
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (checkOnly) stop(missing, "--check-only: not installing");
  if (!isRoot) stop(missing, "installing them needs root");
  if (!onPath("apt-get")) stop(missing, "no apt-get on this machine: install the equivalent packages");

  const packages = missing.map((requirement) => requirement.package);
  process.stdout.write(`installing what npm test needs: ${installCommand(packages)}\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-q"],
    ["install", "-y", "-q", ...packages],
  ]) {
    const result = spawnSync("apt-get", args, { stdio: "inherit", env });
    if (result.status !== 0) stop(missing, `apt-get ${args[0]} failed with status ${result.status}`);
  }
  const stillMissing = missingRequirements();
  if (stillMissing.length > 0) stop(stillMissing, "still missing after apt-get install");
}

main();
