#!/usr/bin/env node
// The `mhsm` command's bin entry. It is committed (not built) so that npm can link
// node_modules/.bin/mhsm on a fresh clone: npm links workspace bins before the root `prepare`
// script builds dist/, and it skips a bin whose target does not exist yet.
await import("../dist/main.js");
