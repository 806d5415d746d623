import type { Command } from "commander";
import { runAction } from "../cli-error.js";
import { HsmClients } from "../connection/clients.js";
import { printItem, printList } from "../output.js";
import { type VerbFlags, addGroup, addVerb, outputOf } from "../verb.js";
import {
  type CreatedPrincipal,
  type PrincipalRow,
  createdPrincipalView,
  principalView,
} from "../views/principal-views.js";

/**
 * `mhsm principal create|list|delete`: service principals of mhsm's embedded identity provider,
 * through mhsm's own /mhsm/principals endpoint (a real Managed HSM has none: its principals
 * live in Microsoft Entra ID).
 */
export function registerPrincipalCommands(program: Command): void {
  const principal = addGroup(
    program,
    "principal",
    "service principals of the server's embedded identity provider",
  );

  addVerb(principal, {
    name: "create",
    description: "create a service principal; prints its client secret once",
    examples: ["mhsm principal create --admin-file .mhsm/initial-admin.json --name ci-signer --output json"],
  })
    .requiredOption("--name <name>", "display name")
    .action(
      runAction(async (flags: VerbFlags & { name: string }) => {
        const rest = (await HsmClients.connect(flags)).rest();
        const created = (await rest.send("POST", "/mhsm/principals", {
          displayName: flags.name,
        })) as CreatedPrincipal;
        printItem(created, createdPrincipalView, outputOf(flags));
      }),
    );

  addVerb(principal, {
    name: "list",
    description: "list service principals (never their secrets)",
    examples: ["mhsm principal list --admin-file .mhsm/initial-admin.json --output table"],
  }).action(
    runAction(async (flags: VerbFlags) => {
      const rest = (await HsmClients.connect(flags)).rest();
      // The list comes in pages: each names the next by an absolute nextLink on the HSM's URL.
      const rows: PrincipalRow[] = [];
      let path: string | null = "/mhsm/principals";
      while (path !== null) {
        const page = (await rest.send("GET", path)) as { value: PrincipalRow[]; nextLink?: string | null };
        rows.push(...page.value);
        path = page.nextLink ? pathOf(page.nextLink) : null;
      }
      printList(rows, principalView, outputOf(flags));
    }),
  );

  addVerb(principal, {
    name: "delete",
    description: "delete a service principal (it can no longer get tokens; its role assignments stay)",
    arguments: [{ name: "<objectId>", description: "the principal's object id" }],
    examples: ["mhsm principal delete 3f1c0d2e-… --admin-file .mhsm/initial-admin.json"],
  }).action(
    runAction(async (objectId: string, flags: VerbFlags) => {
      const rest = (await HsmClients.connect(flags)).rest();
      const deleted = (await rest.send(
        "DELETE",
        `/mhsm/principals/${encodeURIComponent(objectId)}`,
      )) as PrincipalRow;
      printItem(deleted, principalView, outputOf(flags));
    }),
  );
}

/** The path and query of a nextLink: the client sends it to the HSM URL it was given. */
function pathOf(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}
