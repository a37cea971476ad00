// `npm run admin -- token create --partner SLUG --name NAME` and `… --platform --name NAME`:
// what the command does, apart from argument parsing and printing, so that tests run exactly
// this.
import type { Database } from "../db/index.ts";
import {
  ApiKeyNameSchema,
  createApiKey,
  createPlatformToken,
  findPartnerBySlug,
} from "../app/domain/api-keys.server.ts";

export const cliActor = { userId: null, label: "admin CLI" };

export type CliResult = { ok: true; lines: string[]; token: string } | { ok: false; error: string };

/** `token create`: a partner key with --partner SLUG, a platform token with --platform. */
export async function createTokenFromCli(
  db: Database,
  args: { partner?: string; platform?: boolean; name?: string },
): Promise<CliResult> {
  if (args.platform && args.partner !== undefined) {
    return {
      ok: false,
      error:
        "Give either --partner SLUG (a partner key) or --platform (a platform token), not both.",
    };
  }
  if (args.platform) return createPlatformTokenFromCli(db, { name: args.name });
  return createPartnerKeyFromCli(db, args);
}

/** The lines to print; the token is alone on the last one. */
export async function createPlatformTokenFromCli(
  db: Database,
  { name }: { name?: string },
): Promise<CliResult> {
  const parsedName = ApiKeyNameSchema.safeParse(name ?? "");
  if (!parsedName.success) {
    return {
      ok: false,
      error: '--name: give the token a name of 1 to 80 characters, e.g. --name "Core platform"',
    };
  }
  const { key, token } = await createPlatformToken(db, { name: parsedName.data, actor: cliActor });
  return {
    ok: true,
    token,
    lines: [
      `Platform API token "${key.name}" created.`,
      "It is shown only this once; only its SHA-256 is stored:",
      token,
    ],
  };
}

/** The lines to print; the key is alone on the last one (scripts read it with `tail -n 1`). */
export async function createPartnerKeyFromCli(
  db: Database,
  { partner: slug, name }: { partner?: string; name?: string },
): Promise<CliResult> {
  if (!slug) {
    return {
      ok: false,
      error:
        "--partner: give the partner's slug, e.g. --partner brewline (or --platform for a platform token)",
    };
  }
  const parsedName = ApiKeyNameSchema.safeParse(name ?? "");
  if (!parsedName.success) {
    return {
      ok: false,
      error: '--name: give the key a name of 1 to 80 characters, e.g. --name "Shop POS"',
    };
  }
  const partner = await findPartnerBySlug(db, slug);
  if (!partner) return { ok: false, error: `--partner: no partner has the slug "${slug}".` };
  const { key, token } = await createApiKey(db, {
    partnerId: partner.id,
    name: parsedName.data,
    actor: cliActor,
  });
  return {
    ok: true,
    token,
    lines: [
      `Partner API key "${key.name}" for ${partner.name} (${partner.slug}) created.`,
      "It is shown only this once; only its SHA-256 is stored:",
      token,
    ],
  };
}
