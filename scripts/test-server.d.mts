/** Types of scripts/test-server.mjs (plain ESM so that scripts/e2e.mjs can use it without tsx). */
export declare const root: string;
export declare function startTestServer(
  extraEnv?: Record<string, string>,
  options?: { timeoutMs?: number },
): Promise<{ baseUrl: string; dataDir: string; stop: () => Promise<void> }>;
export declare function listFiles(dir: string, ext: string): string[];
export declare const SYNTHETIC_MARKERS: string[];
export declare function filesWithSyntheticSource(distDir: string): string[];
export declare function stopEmbeddedPostgres(dataDir: string): void;
