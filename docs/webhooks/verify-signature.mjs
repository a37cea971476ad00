// Verifying a 7stamp webhook (Node 20+, no dependencies). The tests run this file against a
// real delivery. Use the raw request body — parse the JSON only after the signature checks.
//
//   X-7stamp-Signature: t=1733450000,v1=5f2b…[,v1=…]
//
// The signed text is `${t}.${body}`; each v1 is hex HMAC-SHA256 of it with an endpoint
// secret (two v1 values while a rolled secret's 24-hour overlap lasts: either may match).
// Reject a timestamp older than a few minutes (replays). Deliveries are at-least-once:
// de-duplicate by the event id (X-7stamp-Event-Id, the body's `id`).
import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * @param {{ header: string | undefined, body: string, secret: string, toleranceSeconds?: number, now?: number }} input
 * @returns {boolean} whether the body was signed with `secret` within the tolerance
 */
export function verifySignature({
  header,
  body,
  secret,
  toleranceSeconds = 300,
  now = Date.now(),
}) {
  if (!header) return false;
  const parts = header.split(",").map((part) => part.trim().split("="));
  const t = Number(parts.find(([key]) => key === "t")?.[1]);
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  return parts
    .filter(([key]) => key === "v1")
    .some(([, hex]) => {
      const given = Buffer.from(hex ?? "", "hex");
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

// Example receiver: `WEBHOOK_SECRET=whsec_… node docs/webhooks/verify-signature.mjs`
if (import.meta.url === `file://${process.argv[1]}`) {
  const { createServer } = await import("node:http");
  const seen = new Set();
  createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const ok = verifySignature({
        header: req.headers["x-7stamp-signature"],
        body,
        // eslint-disable-next-line no-restricted-properties -- a standalone example, not the app
        secret: process.env.WEBHOOK_SECRET ?? "",
      });
      if (!ok) return res.writeHead(400).end("bad signature");
      const event = JSON.parse(body);
      if (!seen.has(event.id)) {
        seen.add(event.id);
        console.log(event.type, event.id);
      }
      res.writeHead(204).end();
    });
    // eslint-disable-next-line no-restricted-properties -- a standalone example, not the app
  }).listen(Number(process.env.PORT ?? 4000));
}
