// The portal's emails, in the recipient's language, as text and simple HTML.
import { translatorFor } from "~/i18n";
import type { Language } from "~/lib/locale";
import type { OutgoingMail } from "./mailer.server";

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function compose(
  language: Language,
  {
    to,
    key,
    link,
    values = {},
  }: { to: string; key: string; link: string; values?: Record<string, string> },
): OutgoingMail {
  const t = translatorFor(language);
  const subject = t(`email:${key}.subject`, values);
  const intro = t(`email:${key}.intro`, values);
  const action = t(`email:${key}.action`, values);
  const outro = t(`email:${key}.outro`, values);
  const text = `${intro}\n\n${action}: ${link}\n\n${outro}\n\n— ${t("email:signature")}`;
  const html = `<p>${escapeHtml(intro)}</p><p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p><p>${escapeHtml(outro)}</p><p>— ${escapeHtml(t("email:signature"))}</p>`;
  return { to, subject, text, html, link };
}

export function passwordResetEmail({
  to,
  link,
  language,
}: {
  to: string;
  link: string;
  language: Language;
}) {
  return compose(language, { to, key: "passwordReset", link });
}

export function supportWelcomeEmail({
  to,
  link,
  language,
}: {
  to: string;
  link: string;
  language: Language;
}) {
  return compose(language, { to, key: "supportWelcome", link });
}

export function invitationEmail({
  to,
  link,
  language,
  organisation,
  inviter,
}: {
  to: string;
  link: string;
  language: Language;
  organisation: string;
  inviter: string;
}) {
  return compose(language, { to, key: "invitation", link, values: { organisation, inviter } });
}
