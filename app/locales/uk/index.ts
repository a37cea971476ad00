// The Ukrainian catalogue (docs/i18n/glossary.uk.md); complete: app/locales/catalogues.test.ts.
import auth from "./auth";
import apiKeys from "./api-keys";
import batches from "./batches";
import bundles from "./bundles";
import cards from "./cards";
import business from "./business";
import clients from "./clients";
import codes from "./codes";
import common from "./common";
import email from "./email";
import invoices from "./invoices";
import partner from "./partner";
import redeem from "./redeem";
import referrals from "./referrals";
import staff from "./staff";
import statements from "./statements";
import subscription from "./subscription";
import support from "./support";
import webhooks from "./webhooks";

const uk = {
  common,
  auth,
  partner,
  bundles,
  batches,
  codes,
  clients,
  statements,
  cards,
  apiKeys,
  business,
  staff,
  redeem,
  referrals,
  support,
  email,
  webhooks,
  subscription,
  invoices,
};

export default uk;
