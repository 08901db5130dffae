// Type-aware lint for the whole workspace. Local rules keep package boundaries:
// no relative import that leaves its package, no deep `@mqk/<pkg>/…` specifier.
import path from "node:path";
import { existsSync } from "node:fs";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

function packageRootOf(file) {
  let dir = path.dirname(file);
  while (dir !== path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    dir = path.dirname(dir);
  }
  return undefined;
}

const boundaries = {
  rules: {
    "no-cross-package-relative": {
      meta: {
        type: "problem",
        schema: [],
        messages: { leave: "Relative import '{{spec}}' leaves package {{pkg}}; import the other package by its name (@mqk/…)." },
      },
      create(context) {
        const file = context.filename;
        const root = packageRootOf(file);
        function check(node, source) {
          if (!root || typeof source !== "string" || !source.startsWith(".")) return;
          const target = path.resolve(path.dirname(file), source);
          if (target !== root && !target.startsWith(root + path.sep)) {
            context.report({ node, messageId: "leave", data: { spec: source, pkg: path.relative(process.cwd(), root) } });
          }
        }
        return {
          ImportDeclaration: (n) => check(n, n.source.value),
          ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
          ExportAllDeclaration: (n) => check(n, n.source.value),
          ImportExpression: (n) => n.source.type === "Literal" && check(n, n.source.value),
        };
      },
    },
    "no-deep-mqk-import": {
      meta: {
        type: "problem",
        schema: [],
        messages: { deep: "'{{spec}}' reaches inside a package; import '@mqk/<name>' only (its index.ts is the public face)." },
      },
      create(context) {
        function check(node, source) {
          if (typeof source === "string" && /^@mqk\/[^/]+\/.+/.test(source)) context.report({ node, messageId: "deep", data: { spec: source } });
        }
        return {
          ImportDeclaration: (n) => check(n, n.source.value),
          ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
          ExportAllDeclaration: (n) => check(n, n.source.value),
          ImportExpression: (n) => n.source.type === "Literal" && check(n, n.source.value),
        };
      },
    },
  },
};

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", ".mqk/**", "**/fixtures/**", "data/**", "coverage/**", ".turbo/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["*.mjs", "*.js", "scripts/*.mjs"] }, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { mqk: boundaries },
    rules: {
      "mqk/no-cross-package-relative": "error",
      "mqk/no-deep-mqk-import": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/ban-ts-comment": ["error", { "ts-expect-error": "allow-with-description" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-empty": ["error", { allowEmptyCatch: false }],
      "no-restricted-syntax": ["error", { selector: "TSEnumDeclaration", message: "No enums: use a union of string literals." }],
    },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: {
      globals: { process: "readonly", console: "readonly", URL: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly" },
    },
  },
  {
    files: ["**/*.test.ts", "**/test/**/*.ts"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off", "@typescript-eslint/unbound-method": "off" },
  },
);
