// The e2e run's log scan (tests/e2e/log-scan.ts) finds each kind of secret and passes the
// lines the portal really prints.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { formatCode, generateCode } from "~/lib/activation-code";
import { findSecretsInLog, secretsFromOutbox } from "../e2e/log-scan.ts";

describe("the log scan", () => {
  test("finds links with tokens, redeem links, keys and activation codes", () => {
    const code = generateCode();
    const log = [
      "2026-12-04T10:00:00.000Z INFO mail to a@b.test written to /tmp/x.eml — link: http://localhost:3310/reset-password/Zq3kLmN8pQrS7tUv",
      "INFO GET /invitations/AbCdEfGhIjKlMnOp",
      `INFO opened /redeem/${formatCode(code, "CAFE")}`,
      "WARN key sk_partner_0123456789abcdef refused",
      `ERROR claim of ${formatCode(code, null)} failed`,
      `DEBUG ${code}`,
    ].join("\n");
    const kinds = findSecretsInLog(log).map((f) => `${f.line}:${f.kind}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "1:reset or invitation link",
        "2:reset or invitation link",
        "3:redeem link",
        "4:API key or token",
        "5:activation code",
        "6:activation code",
      ]),
    );
    // What it prints is masked.
    for (const finding of findSecretsInLog(log)) expect(finding.masked).not.toContain(code);
  });

  test("passes what the portal logs: masked paths, file names, ids", () => {
    const log = [
      "2026-12-04T10:00:00.000Z INFO mail to owner@demo.7stamp.test written to /tmp/7stamp-e2e-x/outbox/2026-12-04T10-00-00-000Z-owner@demo.7stamp.test.eml",
      "WARN 405 Method Not Allowed on POST /redeem/[code]",
      "WARN 404 Not Found on GET /reset-password/[token]",
      "INFO jobs: batch 0b7c2c1e-5d0e-4a43-9f0a-2f6f0d7e9a11 ready (25,000 codes)",
      "INFO demo platform token (for npm run simulate) written to /tmp/x/demo-platform-token",
    ].join("\n");
    expect(findSecretsInLog(log)).toEqual([]);
  });

  test("finds any secret an email of the run carried, whatever its shape", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "log-scan-"));
    writeFileSync(
      path.join(dir, "2026-12-04T10-00-00-000Z-a@b.test.eml"),
      "Subject: Reset\r\n\r\nhttp://localhost:3310/reset-password/tok_only-in-the-mai=\r\nl_123\r\n",
    );
    const secrets = secretsFromOutbox(dir);
    expect(secrets).toEqual(["tok_only-in-the-mail_123"]);
    expect(findSecretsInLog("INFO something tok_only-in-the-mail_123 here", secrets)).toHaveLength(
      1,
    );
  });
});
