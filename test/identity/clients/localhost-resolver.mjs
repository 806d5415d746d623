// Loaded with `node --import` by default-azure-credential.test.ts: resolves every *.localhost
// name to loopback, as systemd-resolved and nss-myhostname do (RFC 6761). This machine's resolver
// does not, so the test stands in for it; the application and the SDKs are unchanged.
import dns from "node:dns";

const lookup = dns.lookup;
dns.lookup = function lookupLocalhostSubdomains(hostname, options, callback) {
  const name = typeof hostname === "string" ? hostname.toLowerCase() : "";
  return lookup.call(this, name.endsWith(".localhost") ? "127.0.0.1" : hostname, options, callback);
};
