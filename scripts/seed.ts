// `npm run db:seed`: the demo into the (empty) database DATABASE_URL names, or the
// embedded one. Refuses in production and on a database that already has users.
import { migrateToLatest } from "../db/migrate.ts";
import { demoLogins, isDatabaseEmpty, seedDemo } from "../db/seed.ts";
import { getDbHandle } from "../app/db.server.ts";
import { env } from "../app/env.server.ts";

if (env.isProduction) {
  console.error("Refusing to seed demo data with NODE_ENV=production.");
  process.exit(1);
}
const handle = getDbHandle();
try {
  await migrateToLatest(handle.db);
  if (!(await isDatabaseEmpty(handle.db))) {
    console.error(
      "The database already has users; the demo is only seeded into an empty database.",
    );
    process.exitCode = 1;
  } else {
    await seedDemo(handle.db);
    console.log(
      `Demo seeded. Logins (password ${demoLogins.password}): ${demoLogins.accounts.join(", ")}`,
    );
  }
} finally {
  await handle.close();
}
