// The Thai catalogue (docs/i18n/glossary.th.md); complete: app/locales/catalogues.test.ts.
// One export a namespace, as app/locales/en/index.ts; the list is app/locales/index.ts's.
export { default as apiKeys } from "./api-keys";
export { default as auth } from "./auth";
export { default as batches } from "./batches";
export { default as bundles } from "./bundles";
export { default as business } from "./business";
export { default as cards } from "./cards";
export { default as clients } from "./clients";
export { default as codes } from "./codes";
export { default as common } from "./common";
export { default as email } from "./email";
export { default as invoices } from "./invoices";
export { default as partner } from "./partner";
export { default as redeem } from "./redeem";
export { default as referrals } from "./referrals";
export { default as staff } from "./staff";
export { default as statements } from "./statements";
export { default as subscription } from "./subscription";
export { default as support } from "./support";
export { default as webhooks } from "./webhooks";
