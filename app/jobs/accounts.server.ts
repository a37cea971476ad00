// Account emails sent after the request has been answered: a password-reset request answers
// at once, whether or not the email has an account, and this job does the rest.
import type PgBoss from "pg-boss";
import type { Database } from "~db/index.ts";
import { sendPasswordReset, type PasswordResetRequest } from "~/auth/accounts.server";
import { defaultLanguage, supportedLanguages } from "~/lib/locale";
import { queues } from "./queue.server";

export async function registerAccountJobs(boss: PgBoss, db: Database): Promise<void> {
  await boss.createQueue(queues.sendPasswordReset, { name: queues.sendPasswordReset });
  await boss.work<PasswordResetRequest>(queues.sendPasswordReset, async ([job]) => {
    if (!job) return;
    const { email, ip, language } = job.data;
    await sendPasswordReset(db, {
      email,
      ip,
      language: (supportedLanguages as readonly string[]).includes(language)
        ? language
        : defaultLanguage,
    });
  });
}
