import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

export default tseslint.config(
  { ignores: ["build/**", "data/**", "node_modules/**", "db/schema.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "Read configuration from app/env.server.ts.",
        },
      ],
    },
  },
  {
    // One clock per decision (ADR 025): domain code compares against the `now` its caller
    // read once (app/lib/clock.server.ts), in TypeScript and as a parameter in SQL.
    files: ["app/domain/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "Take `now` from the caller (ADR 025); the domain never reads the clock.",
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: "Take `now` from the caller (ADR 025); the domain never reads the clock.",
        },
        {
          selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']",
          message: "Time a duration with stopwatch() from app/lib/clock.server.ts (ADR 025).",
        },
        {
          selector:
            "TaggedTemplateExpression[tag.name='sql'] TemplateElement[value.raw=/\\b(now\\s*\\(|current_timestamp|current_date|localtimestamp|clock_timestamp|statement_timestamp|transaction_timestamp)/i]",
          message:
            "Compare against the caller's `now` as a parameter (ADR 025), not the database's clock.",
        },
        {
          selector: "CallExpression[callee.property.name='fn'][arguments.0.value='now']",
          message:
            "Compare against the caller's `now` as a parameter (ADR 025), not the database's clock.",
        },
      ],
    },
  },
  {
    files: ["app/env.server.ts", "scripts/**", "tests/**", "vitest.config.ts", "db/test-*.ts"],
    rules: { "no-restricted-properties": "off" },
  },
);
