import { useTranslation } from "react-i18next";
import { ShownOnceSecret } from "../ShownOnceSecret";

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
  return (
    <ShownOnceSecret
      id="new-key"
      title={t("createdTitle", { name: created.name })}
      notes={[t("createdWarning")]}
      secretLabel={t("tokenLabel")}
      secret={created.token}
      copyLabel={t("copy")}
      copiedLabel={t("copied")}
      usage={t("usage", { prefix: created.prefix })}
    />
  );
}
