// The one place that reads process.env: parsed once, typed, validated.
import { z } from "zod";
import { DEFAULT_PORT, portalUrl } from "~/lib/public-url";

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DIR: z.string().min(1).default("./data/pglite"),
  PORT: z.coerce.number().int().min(1).max(65535).default(DEFAULT_PORT),
  PUBLIC_URL: z.string().url().optional(),
  SESSION_SECRET: z.string().min(16).optional(),
  SMTP_URL: z.string().min(1).optional(),
  MAIL_FROM: z.string().min(3).default("7stamp Partner Portal <no-reply@7stamp.test>"),
  OUTBOX_DIR: z.string().min(1).default("./data/outbox"),
  /** Where the demo seed writes the demo's platform token (default data/demo-platform-token). */
  DEMO_TOKEN_FILE: z.string().min(1).optional(),
  /** "false" keeps background jobs out of this web process (run `npm run worker` instead). */
  RUN_JOBS: z.enum(["true", "false"]).default("true"),
  /**
   * Codes per transaction when a background job makes a large batch (default 2,000 on the
   * embedded database, whose one connection each chunk holds; 10,000 on PostgreSQL).
   */
  CODE_BATCH_CHUNK_SIZE: z.coerce.number().int().min(100).max(50_000).optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

function parseEnv() {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${problems.join("\n")}`);
  }
  const env = parsed.data;
  if (env.NODE_ENV === "production" && !env.SESSION_SECRET) {
    throw new Error("Invalid environment:\n  SESSION_SECRET: required when NODE_ENV=production");
  }
  return {
    ...env,
    PUBLIC_URL: portalUrl(env),
    // Signs the flash cookie only; sessions are random tokens checked against the database.
    SESSION_SECRET: env.SESSION_SECRET ?? "7stamp-development-only-secret",
    isProduction: env.NODE_ENV === "production",
    /** Cookies carry Secure in production and whenever the portal is served over https. */
    secureCookies: env.NODE_ENV === "production" || (env.PUBLIC_URL ?? "").startsWith("https://"),
  };
}

export const env = parseEnv();
export type Env = typeof env;
