import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "../Button";

export interface CreatedKey {
  id: string;
  name: string;
  prefix: string;
  token: string;
}

/**
 * A key or token just created, shown this once (partner keys and platform tokens alike): the
 * secret selectable and copyable, and how to send it.
 */
export function NewApiKey({ created }: { created: CreatedKey }) {
  const { t } = useTranslation("apiKeys");
  const [copied, setCopied] = useState(false);
  return (
    <section
      role="status"
      aria-labelledby="new-key-title"
      className="rounded-lg border border-emerald-300 bg-emerald-50 p-5"
    >
      <h2 id="new-key-title" className="text-base font-semibold text-emerald-900">
        {t("createdTitle", { name: created.name })}
      </h2>
      <p className="mt-1 text-sm text-emerald-900">{t("createdWarning")}</p>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <label htmlFor="new-key-token" className="sr-only">
          {t("tokenLabel")}
        </label>
        <input
          id="new-key-token"
          readOnly
          value={created.token}
          onFocus={(event) => event.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-emerald-300 bg-white px-3 py-2 font-mono text-sm"
        />
        <Button
          variant="secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(created.token).then(() => setCopied(true));
          }}
        >
          {copied ? t("copied") : t("copy")}
        </Button>
      </div>
      <p className="mt-2 text-xs text-emerald-900">{t("usage", { prefix: created.prefix })}</p>
    </section>
  );
}
