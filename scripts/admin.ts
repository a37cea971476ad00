// `npm run admin -- …`: operations a deployment needs before anyone can sign in.
//   user create-support --email E [--name N]   prints a one-time link to set the password
//   db migrate                                 applies pending migrations
import { parseArgs } from "node:util";
import { migrateToLatest } from "../db/migrate.ts";
import { createSupportUser } from "../app/auth/accounts.server.ts";
import { getDbHandle } from "../app/db.server.ts";
import { z } from "zod";

const usage = `Usage:
  npm run admin -- user create-support --email EMAIL [--name NAME]
  npm run admin -- db migrate`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: "string" },
    name: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
const command = positionals.join(" ");

if (values.help || !command) {
  console.log(usage);
  process.exit(values.help ? 0 : 1);
}

const handle = getDbHandle();
try {
  if (command === "db migrate") {
    const applied = await migrateToLatest(handle.db);
    console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Database is up to date.");
  } else if (command === "user create-support") {
    const email = z
      .string()
      .trim()
      .email()
      .safeParse(values.email ?? "");
    if (!email.success) {
      console.error("--email: give the support user's email address, e.g. --email ops@7stamp.test");
      process.exitCode = 1;
    } else {
      await migrateToLatest(handle.db);
      const { link } = await createSupportUser(handle.db, {
        email: email.data,
        name: values.name ?? "",
      });
      console.log(
        `Support user ${email.data} is ready. Open this link once to set the password (valid 7 days):`,
      );
      console.log(link);
    }
  } else {
    console.error(`Unknown command: ${command}\n${usage}`);
    process.exitCode = 1;
  }
} finally {
  await handle.close();
}
