/** Applies the dependency fixes of scripts/patch-dependencies.mjs under `root`/node_modules (idempotent). */
export function patchDependencies(root: string, log?: (line: string) => void): void;
