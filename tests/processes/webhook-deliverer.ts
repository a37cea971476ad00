// A second app process for tests: fans out the outbox and delivers webhooks from the
// PostgreSQL database at `url` until nothing is due, printing "claimed" once its first pass
// has claimed deliveries. Run by tests/integration/webhooks-ordering.test.ts, which kills it
// mid-batch to show that nothing is lost (ADR 033).
import { createDb } from "../../db/index.ts";
import { deliverDue, fanOutOutbox } from "../../app/domain/webhooks/delivery.server.ts";

const [url] = process.argv.slice(2);
const handle = createDb({ url, maxConnections: 4 });
try {
  while ((await fanOutOutbox(handle.db, { now: new Date() })) > 0) {
    // until every event has its deliveries
  }
  process.stdout.write("fanned out\n");
  while ((await deliverDue(handle.db, { now: new Date(), allowLoopback: true, limit: 20 })) > 0) {
    // until nothing is due
  }
} finally {
  await handle.close();
}
