// The SSRF guard for outgoing webhooks: an endpoint URL is https in production, and the
// delivery only connects to public addresses — loopback, private, shared, link-local
// (169.254.169.254, the cloud metadata service), multicast and reserved ranges are refused
// on the address the name resolved to and the socket actually connected to.
// WEBHOOK_ALLOW_LOOPBACK=true (never in production) lets 127.0.0.0/8 and ::1 through.
import { BlockList, isIP } from "node:net";
import { DomainError } from "~/domain/errors.server";

const refusedV4 = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  refusedV4.addSubnet(net, bits, "ipv4");
}
const refusedV6 = new BlockList();
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  refusedV6.addSubnet(net, bits, "ipv6");
}

function isLoopback(address: string): boolean {
  return address === "::1" || (isIP(address) === 4 && address.startsWith("127."));
}

/** Why a delivery may not connect to `address`, or null when it may. */
export function refusedAddress(address: string, allowLoopback: boolean): string | null {
  let ip = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped?.[1]) ip = mapped[1];
  const family = isIP(ip);
  if (family === 0) return `${address} is not an IP address`;
  if (allowLoopback && isLoopback(ip)) return null;
  const refused = family === 4 ? refusedV4.check(ip, "ipv4") : refusedV6.check(ip, "ipv6");
  if (family === 6 && /^::ffff:/.test(ip)) return `${address} is not a public address`;
  return refused ? `${address} is not a public address` : null;
}

/** Why an endpoint URL was refused, for the field message a page shows. */
export type WebhookUrlProblem = "invalid" | "https" | "credentials" | "private" | "length";

export class WebhookUrlRefused extends DomainError {
  constructor(
    readonly problem: WebhookUrlProblem,
    message: string,
  ) {
    super("invalid_request", `url: ${message}`, "url");
  }
}

/** The longest endpoint URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2000;

/**
 * Checks an endpoint URL as entered: absolute http(s), https in production, no credentials,
 * and not a literal refused address. Names are checked again when they resolve.
 */
export function checkWebhookUrl(
  value: string,
  { production, allowLoopback }: { production: boolean; allowLoopback: boolean },
): URL {
  if (value.length > MAX_WEBHOOK_URL_LENGTH) {
    throw new WebhookUrlRefused("length", `at most ${MAX_WEBHOOK_URL_LENGTH} characters.`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new WebhookUrlRefused("invalid", "enter an absolute https:// URL.");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && !production)) {
    throw new WebhookUrlRefused("https", "must start with https://.");
  }
  if (url.username || url.password) {
    throw new WebhookUrlRefused("credentials", "must not contain a user name or password.");
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) {
    const refused = refusedAddress(host, allowLoopback);
    if (refused) throw new WebhookUrlRefused("private", `${refused}.`);
  }
  return url;
}
