// Types of bundle.mjs (plain JavaScript so that `npm run test:electron` runs without tsx).
export declare const repoRoot: string;
export declare const brokenYaml: string;
export declare function writeSuiteWorkspace(dir: string): void;
export declare function suiteEnv(workspace: string): { WHEELHOUSE_HOME: string; KUBECONFIG: string };
export declare function bundleSuite(outDir: string): Promise<string>;
