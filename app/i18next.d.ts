// The catalogues type every t() call: a key that is not in app/locales/en fails
// `npm run typecheck` (ADR 027). The default namespaces are all of them, "common" first, so
// a plain t() takes "common"'s keys bare and any other as "namespace:key" (as at run time).
import "i18next";
import type { namespaces, resources } from "./locales";

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: typeof namespaces;
    resources: (typeof resources)["en"];
    returnNull: false;
  }
}
