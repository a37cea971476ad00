// `npm run admin -- …`: operations a deployment needs before anyone can sign in.
//   user create-support --email E [--name N]   prints a one-time link to set the password
//   token create --partner SLUG --name NAME    prints a new partner API key on its last line
//   token create --platform --name NAME        prints a new platform token on its last line
//   db migrate                                 applies pending migrations
//   statements finalize --month YYYY-MM [--partner SLUG]
//                                              makes the month's statements final (idempotent)
//   claims roll-back --code CODE --reason TEXT rolls a claim back: a credit line this month
//   partner enrol --name N --slug S --type T --discount 30 --prefix P --owner-email E
//     [--locale L] [--tax-rate 0] [--contact-name N]
//                                              enrols a partner; the invitation link is last
//   referral connect --business ID | --partner SLUG [--slug S]
//                                              connects an account to the referral program;
//                                              its personal link is last
import { parseArgs } from "node:util";
import { migrateToLatest } from "../db/migrate.ts";
import { createSupportUser } from "../app/auth/accounts.server.ts";
import { getDbHandle } from "../app/db.server.ts";
import { finalizeStatementsFromCli, rollBackClaimFromCli } from "./admin-statements.ts";
import { enrolPartnerFromCli } from "./admin-partners.ts";
import { createTokenFromCli } from "./admin-tokens.ts";
import { connectReferralFromCli } from "./admin-referrals.ts";
import { clock } from "../app/lib/clock.server.ts";
import { z } from "zod";

const usage = `Usage:
  npm run admin -- user create-support --email EMAIL [--name NAME]
  npm run admin -- token create --partner SLUG --name NAME
  npm run admin -- token create --platform --name NAME
  npm run admin -- db migrate
  npm run admin -- statements finalize --month YYYY-MM [--partner SLUG]
  npm run admin -- claims roll-back --code CODE --reason TEXT
  npm run admin -- partner enrol --name NAME --slug SLUG --type TYPE --discount 30 --prefix PREFIX
                                 --owner-email EMAIL [--locale en-IE] [--tax-rate 0] [--contact-name NAME]
  npm run admin -- referral connect --business ID | --partner SLUG [--slug SLUG]`;

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        email: { type: "string" },
        name: { type: "string" },
        partner: { type: "string" },
        platform: { type: "boolean" },
        month: { type: "string" },
        code: { type: "string" },
        reason: { type: "string" },
        slug: { type: "string" },
        type: { type: "string" },
        discount: { type: "string" },
        "tax-rate": { type: "string" },
        prefix: { type: "string" },
        "owner-email": { type: "string" },
        "contact-name": { type: "string" },
        locale: { type: "string" },
        business: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    // An unknown option or a value where none belongs: say which, without a stack trace.
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(1);
  }
}

const { positionals, values } = parseCommandLine();
const command = positionals.join(" ");

if (values.help || !command) {
  console.log(usage);
  process.exit(values.help ? 0 : 1);
}

const handle = getDbHandle();
// PGlite's Emscripten runtime resets process.exitCode to 0 when it shuts down (even after
// close() returned), so a failure is kept here and the process exits with it explicitly.
let failed = false;
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
      failed = true;
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
  } else if (command === "token create") {
    await migrateToLatest(handle.db);
    const result = await createTokenFromCli(handle.db, {
      partner: values.partner,
      platform: values.platform,
      name: values.name,
    });
    if (result.ok) {
      for (const line of result.lines) console.log(line);
    } else {
      console.error(result.error);
      failed = true;
    }
  } else if (command === "statements finalize" || command === "claims roll-back") {
    await migrateToLatest(handle.db);
    const result =
      command === "statements finalize"
        ? await finalizeStatementsFromCli(handle.db, {
            month: values.month,
            partner: values.partner,
          })
        : await rollBackClaimFromCli(handle.db, { code: values.code, reason: values.reason });
    for (const line of result.lines ?? []) console.log(line);
    if (!result.ok) {
      console.error(result.error);
      failed = true;
    }
  } else if (command === "partner enrol") {
    await migrateToLatest(handle.db);
    const result = await enrolPartnerFromCli(handle.db, {
      name: values.name,
      slug: values.slug,
      type: values.type,
      discount: values.discount,
      taxRate: values["tax-rate"],
      prefix: values.prefix,
      ownerEmail: values["owner-email"],
      contactName: values["contact-name"],
      locale: values.locale,
    });
    for (const line of result.lines ?? []) console.log(line);
    if (!result.ok) {
      console.error(result.error);
      failed = true;
    }
  } else if (command === "referral connect") {
    await migrateToLatest(handle.db);
    const result = await connectReferralFromCli(
      handle.db,
      { business: values.business, partner: values.partner, slug: values.slug },
      clock(),
    );
    for (const line of result.lines ?? []) console.log(line);
    if (!result.ok) {
      console.error(result.error);
      failed = true;
    }
  } else {
    console.error(`Unknown command: ${command}\n${usage}`);
    failed = true;
  }
} catch (error) {
  // Not a refusal but a failure (a lost connection, a bug): say so and exit 1, which an
  // uncaught error would not reliably do once PGlite has shut down.
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  failed = true;
} finally {
  await handle.close();
}
process.exit(failed ? 1 : 0);
