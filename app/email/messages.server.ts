// The portal's emails, in the recipient's language, as text and simple HTML.
import { translatorFor } from "~/i18n";
import { formatLongDate, numberFormat } from "~/lib/format";
import type { Language } from "~/lib/locale";
import type { MessageValues } from "~/lib/messages";
import type { OutgoingMail } from "./mailer.server";

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The emails that carry one link: a subject, an intro, the link's action and an outro. */
type LinkMail = "passwordReset" | "supportWelcome" | "invitation";

function compose(
  language: Language,
  {
    to,
    key,
    link,
    values = {},
    introKey = "intro",
    sender,
  }: {
    to: string;
    key: LinkMail;
    link: string;
    values?: MessageValues;
    introKey?: "intro" | "introBusiness";
    sender?: string;
  },
): OutgoingMail {
  const t = translatorFor(language);
  const subject = t(`email:${key}.subject`, values);
  const intro =
    key === "invitation"
      ? t(`email:invitation.${introKey}`, values)
      : t(`email:${key}.intro`, values);
  const action = t(`email:${key}.action`, values);
  const outro = t(`email:${key}.outro`, values);
  const text = `${intro}\n\n${action}: ${link}\n\n${outro}\n\n— ${t("email:signature")}`;
  const html = `<p>${escapeHtml(intro)}</p><p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p><p>${escapeHtml(outro)}</p><p>— ${escapeHtml(t("email:signature"))}</p>`;
  return { to, subject, text, html, link, ...(sender ? { sender } : {}) };
}

/** "Corner Coffee via 7stamp": who a message is from, as its From name shows it. */
function onBehalfOf(language: Language, organisation: string): string {
  return translatorFor(language)("email:sender", { organisation });
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
  organisationKind,
  inviter,
}: {
  to: string;
  link: string;
  language: Language;
  organisation: string;
  /** A business's staff are invited to the business on 7stamp, not to the partner portal. */
  organisationKind: "partner" | "business";
  inviter: string;
}) {
  return compose(language, {
    to,
    key: "invitation",
    link,
    values: { organisation, inviter },
    introKey: organisationKind === "business" ? "introBusiness" : "intro",
    sender: onBehalfOf(language, organisation),
  });
}

/** An activation code sent by a partner to its recipient: the code, the link, what it gives. */
export function codeHandOutMessage({
  to,
  language,
  partnerName,
  recipientName,
  code,
  link,
  staffSeats,
  cardOperations,
  termMonths,
  expiresAt,
  lockedToEmail,
}: {
  to: string;
  language: Language;
  partnerName: string;
  recipientName: string | null;
  /** Displayed form, grouped, with the batch prefix. */
  code: string;
  link: string;
  staffSeats: number;
  cardOperations: number;
  termMonths: number;
  expiresAt: Date;
  lockedToEmail: boolean;
}): OutgoingMail {
  const t = translatorFor(language);
  const number = numberFormat(language);
  const values = { partner: partnerName, name: recipientName ?? "", email: to };
  const gives = [
    staffSeats > 0
      ? t("email:codeHandOut.seats", { count: staffSeats, formatted: number(staffSeats) })
      : null,
    cardOperations > 0
      ? t("email:codeHandOut.operations", {
          count: cardOperations,
          formatted: number(cardOperations),
        })
      : null,
  ].filter((line): line is string => line !== null);
  const paragraphs = {
    greeting: recipientName
      ? t("email:codeHandOut.greeting", values)
      : t("email:codeHandOut.greetingNoName"),
    intro: t("email:codeHandOut.intro", values),
    codeLabel: t("email:codeHandOut.codeLabel"),
    gives: t("email:codeHandOut.gives", { count: termMonths }),
    until: t("email:codeHandOut.until", {
      date: formatLongDate(expiresAt, language),
    }),
    action: t("email:codeHandOut.action"),
    locked: lockedToEmail ? t("email:codeHandOut.locked", values) : null,
    outro: t("email:codeHandOut.outro"),
  };
  const subject = t("email:codeHandOut.subject", values);
  const text = [
    paragraphs.greeting,
    paragraphs.intro,
    `${paragraphs.codeLabel}: ${code}`,
    [paragraphs.gives, ...gives.map((line) => `- ${line}`)].join("\n"),
    paragraphs.until,
    `${paragraphs.action}: ${link}`,
    paragraphs.locked,
    paragraphs.outro,
    `— ${partnerName}`,
  ]
    .filter(Boolean)
    .join("\n\n");
  const html = [
    `<p>${escapeHtml(paragraphs.greeting)}</p>`,
    `<p>${escapeHtml(paragraphs.intro)}</p>`,
    `<p>${escapeHtml(paragraphs.codeLabel)}:<br><strong style="font-family:monospace;font-size:20px;letter-spacing:2px">${escapeHtml(code)}</strong></p>`,
    `<p>${escapeHtml(paragraphs.gives)}</p><ul>${gives.map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>`,
    `<p>${escapeHtml(paragraphs.until)}</p>`,
    `<p><a href="${escapeHtml(link)}">${escapeHtml(paragraphs.action)}</a></p>`,
    paragraphs.locked ? `<p>${escapeHtml(paragraphs.locked)}</p>` : "",
    `<p>${escapeHtml(paragraphs.outro)}</p>`,
    `<p>— ${escapeHtml(partnerName)}</p>`,
  ].join("");
  return { to, subject, text, html, link, sender: onBehalfOf(language, partnerName) };
}

/** To a partner's owner: their webhook endpoint kept failing and was disabled. */
export function webhookDisabledEmail({
  to,
  url,
  since,
  reason,
  language,
}: {
  to: string;
  url: string;
  since: string;
  reason: string;
  language: Language;
}): OutgoingMail {
  const t = translatorFor(language);
  const values = { url, since, reason };
  const subject = t("email:webhookDisabled.subject", values);
  const intro = t("email:webhookDisabled.intro", values);
  const outro = t("email:webhookDisabled.outro", values);
  const text = `${intro}\n\n${outro}\n\n— ${t("email:signature")}`;
  const html = `<p>${escapeHtml(intro)}</p><p>${escapeHtml(outro)}</p><p>— ${escapeHtml(t("email:signature"))}</p>`;
  return { to, subject, text, html };
}
