// Outgoing email. SMTP when SMTP_URL is set; otherwise every message is written to the
// outbox directory as .eml and the file's path is logged — never the link, which carries a
// reset or invitation token or an activation code (DESIGN.md §8). Tests read the in-memory
// outbox instead.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import { env } from "~/env.server";
import { log } from "~/lib/log.server";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The one link the message is about (a secret: never logged). */
  link?: string;
  /**
   * Whom the message is from, as its From name shows it ("Corner Coffee via 7stamp"); the
   * address stays MAIL_FROM's. Without it, MAIL_FROM as configured.
   */
  sender?: string;
}

/** MAIL_FROM's address with another display name. */
function fromHeader(sender: string | undefined): string | { name: string; address: string } {
  if (!sender) return env.MAIL_FROM;
  const address = /<([^>]+)>/.exec(env.MAIL_FROM)?.[1] ?? env.MAIL_FROM.trim();
  return { name: sender, address };
}

const memoryOutbox: OutgoingMail[] = [];

/** Messages "sent" in tests, oldest first. */
export function testOutbox(): OutgoingMail[] {
  return memoryOutbox;
}

let smtp: nodemailer.Transporter | undefined;

export async function sendMail(mail: OutgoingMail): Promise<void> {
  if (env.NODE_ENV === "test") {
    memoryOutbox.push(mail);
    return;
  }
  const message = {
    from: fromHeader(mail.sender),
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
  };
  if (env.SMTP_URL) {
    smtp ??= nodemailer.createTransport(env.SMTP_URL);
    await smtp.sendMail(message);
    return;
  }
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: "unix",
  });
  const info = await transport.sendMail(message);
  await mkdir(env.OUTBOX_DIR, { recursive: true });
  const safeTo = mail.to.replace(/[^a-z0-9@._-]/gi, "_");
  const file = path.join(
    env.OUTBOX_DIR,
    `${new Date().toISOString().replace(/[:.]/g, "-")}-${safeTo}.eml`,
  );
  await writeFile(file, info.message as Buffer);
  log.info(`mail to ${mail.to} written to ${file}`);
}
