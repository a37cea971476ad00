// The log scan of the end-to-end run (DESIGN.md §8: no secret reaches a log): after the
// browser suite, everything the server printed is searched for what would let a reader of
// the log take over an account or a code — reset and invitation links, redeem links with a
// code, API keys and tokens, any activation code (a 16-symbol string whose check symbol is
// right), and every link the run's emails carried.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseCode } from "~/lib/activation-code";

export interface SecretInLog {
  line: number;
  kind: string;
  /** The finding with the secret's middle masked, safe to print. */
  masked: string;
}

function mask(secret: string): string {
  return secret.length <= 8 ? "****" : `${secret.slice(0, 4)}…${secret.slice(-2)}`;
}

const PATTERNS: { kind: string; pattern: RegExp }[] = [
  {
    kind: "reset or invitation link",
    pattern: /\/(?:reset-password|invitations)\/(?!\[token\])[A-Za-z0-9_-]{12,}/g,
  },
  { kind: "redeem link", pattern: /\/redeem\/(?!\[code\])[A-Za-z0-9-]{12,}/g },
  { kind: "API key or token", pattern: /\bsk_(?:partner|platform)_[A-Za-z0-9_-]{8,}/g },
];

/** Candidate activation codes: 16 symbols, grouped by dashes or not, maybe after a prefix. */
const CODE_CANDIDATE = /\b(?:[0-9A-Z]{2,8}-)?[0-9A-Z]{4}-?[0-9A-Z]{4}-?[0-9A-Z]{4}-?[0-9A-Z]{4}\b/g;

/** The secrets the run's emails carried (the links' last segments), read from the outbox. */
export function secretsFromOutbox(outboxDir: string): string[] {
  if (!existsSync(outboxDir)) return [];
  const secrets = new Set<string>();
  for (const name of readdirSync(outboxDir)) {
    if (!name.endsWith(".eml")) continue;
    const text = readFileSync(path.join(outboxDir, name), "utf8").replace(/=\r?\n/g, "");
    for (const match of text.matchAll(
      /\/(?:reset-password|invitations|redeem)\/([A-Za-z0-9_-]{12,})/g,
    ))
      if (match[1] !== undefined) secrets.add(match[1]);
  }
  return [...secrets];
}

export function findSecretsInLog(log: string, knownSecrets: string[] = []): SecretInLog[] {
  const found: SecretInLog[] = [];
  log.split("\n").forEach((text, index) => {
    const line = index + 1;
    for (const { kind, pattern } of PATTERNS) {
      for (const match of text.matchAll(pattern))
        found.push({ line, kind, masked: mask(match[0]) });
    }
    for (const match of text.matchAll(CODE_CANDIDATE)) {
      if (parseCode(match[0]).kind === "code")
        found.push({ line, kind: "activation code", masked: mask(match[0]) });
    }
    for (const secret of knownSecrets) {
      if (text.includes(secret))
        found.push({ line, kind: "a secret an email carried", masked: mask(secret) });
    }
  });
  return found;
}
