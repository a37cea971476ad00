// A second app process for tests: claims `count` unknown codes for one business against the
// PostgreSQL database at `url`, all at once, and prints each outcome's code as JSON. Run by
// tests/integration/redemption-processes.test.ts to show the attempt limit holds across
// processes.
import { createDb } from "../../db/index.ts";
import { claimCode } from "../../app/domain/redemption.server.ts";
import { DomainError } from "../../app/domain/errors.server.ts";
import { generateCode } from "../../app/lib/activation-code.ts";

const [url, businessId, userId, email, count, ipPrefix] = process.argv.slice(2);
if (
  url === undefined ||
  businessId === undefined ||
  userId === undefined ||
  email === undefined ||
  count === undefined ||
  ipPrefix === undefined
) {
  throw new Error("usage: claim-attempts.ts URL BUSINESS_ID USER_ID EMAIL COUNT IP_PREFIX");
}
const handle = createDb({ url, maxConnections: 4 });
try {
  const outcomes = await Promise.all(
    Array.from({ length: Number(count) }, (_, i) =>
      claimCode(handle.db, {
        businessId,
        code: generateCode(),
        actor: { userId, label: email, email },
        ip: `${ipPrefix}.${i}`,
        now: new Date(),
      }).then(
        () => "claimed",
        (error: unknown) => (error instanceof DomainError ? error.code : String(error)),
      ),
    ),
  );
  process.stdout.write(`${JSON.stringify(outcomes)}\n`);
} finally {
  await handle.close();
}
