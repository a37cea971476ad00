// Reading the emails the server wrote to OUTBOX_DIR (one .eml per message, named
// `<ISO time>-<recipient>.eml`, so names sort by time).
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

function outboxDir(): string {
  const dir = process.env.OUTBOX_DIR;
  if (!dir) throw new Error("OUTBOX_DIR is not set: run the suite with `npm run test:e2e`.");
  return dir;
}

export async function listOutbox(): Promise<string[]> {
  return (await readdir(outboxDir())).filter((name) => name.endsWith(".eml")).sort();
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8");
}

/** The message's text/plain body, decoded. */
export function plainTextBody(eml: string): string {
  const parts = eml.split(/\r?\n--[^\r\n]+\r?\n/);
  for (const part of parts) {
    const [headers = "", ...rest] = part.split(/\r?\n\r?\n/);
    if (!/content-type:\s*text\/plain/i.test(headers)) continue;
    const body = rest.join("\n\n");
    const encoding = /content-transfer-encoding:\s*([\w-]+)/i.exec(headers)?.[1]?.toLowerCase();
    if (encoding === "quoted-printable") return decodeQuotedPrintable(body);
    if (encoding === "base64")
      return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    return body;
  }
  throw new Error("The email has no text/plain part");
}

/**
 * Waits for a message to `to` that was not in `before` (a listOutbox() result) and returns
 * its decoded text body.
 */
export async function waitForNewMail(
  to: string,
  before: string[],
  timeoutMs = 10_000,
): Promise<{ file: string; text: string }> {
  const deadline = Date.now() + timeoutMs;
  const known = new Set(before);
  while (Date.now() < deadline) {
    const fresh = (await listOutbox()).filter(
      (name) => !known.has(name) && name.endsWith(`-${to}.eml`),
    );
    const newest = fresh.at(-1);
    if (newest) {
      const eml = await readFile(path.join(outboxDir(), newest), "utf8");
      return { file: newest, text: plainTextBody(eml) };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`No new email to ${to} in ${outboxDir()} within ${timeoutMs} ms`);
}

/** The path (/reset-password/<token>) of the one reset link in a message. */
export function resetLinkPath(text: string): string {
  const match = /https?:\/\/[^\s/]+(\/reset-password\/[A-Za-z0-9_-]+)/.exec(text);
  const linkPath = match?.[1];
  if (linkPath === undefined) throw new Error(`No reset link in the email:\n${text}`);
  return linkPath;
}
