import { useId, type InputHTMLAttributes, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { FieldError } from "~/lib/forms";
import type { Message } from "~/lib/messages";

export function useFieldErrorText() {
  const { t } = useTranslation();
  return (error: FieldError | undefined, label: string) =>
    error ? t(error.key, { field: label, ...error.values }) : undefined;
}

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  name: string;
  error?: FieldError;
  hint?: ReactNode;
}

/** A labelled input; its error names the field and is announced with the input. */
export function Field({ label, name, error, hint, className, ...input }: FieldProps) {
  const id = useId();
  const errorText = useFieldErrorText()(error, label);
  const describedBy = [hint ? `${id}-hint` : null, errorText ? `${id}-error` : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={id}
        name={name}
        aria-invalid={errorText ? true : undefined}
        aria-describedby={describedBy || undefined}
        className={`mt-1 block w-full rounded-md border px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 ${
          errorText
            ? "border-red-400 focus:border-red-500 focus:ring-red-200"
            : "border-slate-300 focus:border-brand-500 focus:ring-brand-100"
        }`}
        {...input}
      />
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {errorText ? (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700" role="alert">
          {errorText}
        </p>
      ) : null}
    </div>
  );
}

interface SelectFieldProps extends React.SelectHTMLAttributes<HTMLSelectElement> {
  label: string;
  name: string;
  error?: FieldError;
  hint?: ReactNode;
  options: { value: string; label: string }[];
}

export function SelectField({
  label,
  name,
  error,
  hint,
  options,
  className,
  ...select
}: SelectFieldProps) {
  const id = useId();
  const errorText = useFieldErrorText()(error, label);
  const describedBy = [hint ? `${id}-hint` : null, errorText ? `${id}-error` : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select
        id={id}
        name={name}
        aria-invalid={errorText ? true : undefined}
        aria-describedby={describedBy || undefined}
        className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-100"
        {...select}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {errorText ? (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700" role="alert">
          {errorText}
        </p>
      ) : null}
    </div>
  );
}

/** A message about the whole form (not one field), e.g. wrong email or password. */
export function FormAlert({ message }: { message: Message | null | undefined }) {
  const { t } = useTranslation();
  if (!message) return null;
  return (
    <div
      role="alert"
      className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800"
    >
      {t(message.key, { ...message.values })}
    </div>
  );
}

interface TextAreaFieldProps extends React.TextareaHTMLAttributes<HTMLTextAreaElement> {
  label: string;
  name: string;
  error?: FieldError;
  hint?: ReactNode;
}

/** A labelled multi-line input (special terms, reasons), announced like Field. */
export function TextAreaField({
  label,
  name,
  error,
  hint,
  className,
  ...area
}: TextAreaFieldProps) {
  const id = useId();
  const errorText = useFieldErrorText()(error, label);
  const describedBy = [hint ? `${id}-hint` : null, errorText ? `${id}-error` : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <textarea
        id={id}
        name={name}
        rows={3}
        aria-invalid={errorText ? true : undefined}
        aria-describedby={describedBy || undefined}
        className={`mt-1 block w-full rounded-md border px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 ${
          errorText
            ? "border-red-400 focus:border-red-500 focus:ring-red-200"
            : "border-slate-300 focus:border-brand-500 focus:ring-brand-100"
        }`}
        {...area}
      />
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {errorText ? (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700" role="alert">
          {errorText}
        </p>
      ) : null}
    </div>
  );
}
