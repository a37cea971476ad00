// A secret the portal shows this once and never again (an API key, a webhook signing secret):
// what it is, the warning, the secret selectable and copyable, and how to use it.
import { useState } from "react";
import { Button } from "./Button";

export function ShownOnceSecret({
  id,
  title,
  titleBreaksAnywhere = false,
  notes,
  secretLabel,
  secret,
  copyLabel,
  copiedLabel,
  usage,
}: {
  /** Prefix of the ids the title and the secret's field take. */
  id: string;
  title: string;
  /** For a title that holds a URL, which has no spaces to wrap at. */
  titleBreaksAnywhere?: boolean;
  /** Under the title: the warning that it is shown once, and what else the reader must know. */
  notes: readonly string[];
  secretLabel: string;
  secret: string;
  copyLabel: string;
  copiedLabel: string;
  /** How to send the secret, in small print under it. */
  usage?: string;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <section
      role="status"
      aria-labelledby={`${id}-title`}
      className="rounded-lg border border-emerald-300 bg-emerald-50 p-5"
    >
      <h2
        id={`${id}-title`}
        className={`${titleBreaksAnywhere ? "break-all " : ""}text-base font-semibold text-emerald-900`}
      >
        {title}
      </h2>
      {notes.map((note) => (
        <p key={note} className="mt-1 text-sm text-emerald-900">
          {note}
        </p>
      ))}
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <label htmlFor={`${id}-value`} className="sr-only">
          {secretLabel}
        </label>
        <input
          id={`${id}-value`}
          readOnly
          value={secret}
          onFocus={(event) => event.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-emerald-300 bg-white px-3 py-2 font-mono text-sm"
        />
        <Button
          variant="secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(secret).then(() => setCopied(true));
          }}
        >
          {copied ? copiedLabel : copyLabel}
        </Button>
      </div>
      {usage ? <p className="mt-2 text-xs text-emerald-900">{usage}</p> : null}
    </section>
  );
}
