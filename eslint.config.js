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
    // Type-aware rules (issue 10): the whole of typescript-eslint's recommendedTypeChecked, so an
    // `any` cannot flow unnoticed (no-unsafe-*), plus a promise nobody awaits, an async callback
    // where a void one is expected, a non-Error thrown, or a cast the types already prove.
    // Remix's redirect() and Response are the only non-Errors a route may throw (the framework
    // answers them). JS files (config, PDF workers) keep the untyped `recommended` set above.
    files: ["**/*.ts", "**/*.tsx"],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      // Everything through tsconfig.json (noUncheckedIndexedAccess on, issue 10).
      parserOptions: {
        project: ["./tsconfig.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/only-throw-error": [
        "error",
        {
          allow: [
            { from: "lib", name: "Response" },
            { from: "package", package: "@remix-run/server-runtime", name: "TypedResponse" },
          ],
        },
      ],
      "@typescript-eslint/no-unnecessary-type-assertion": "error",
      // A caught `unknown` passed on as it is (a shell error, an abort reason) is the caller's
      // to judge, as only-throw-error allows for `throw error`; an `any` still has to be typed.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingUnknown: true }],
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
