/**
 * Who validates Kubernetes files when Red Hat's YAML extension is also installed, so no problem is reported
 * twice (pure):
 *  - "wheelhouse" (default): this server validates schema and references; plain YAML syntax errors are left to
 *    Red Hat's extension when it is installed (it reports them for every YAML file);
 *  - "redhat": Red Hat's extension validates (it needs a `kubernetes` entry in `yaml.schemas`); this server
 *    keeps only what Red Hat cannot know: cross-resource checks, live references, best practices.
 */
export type ValidationOwner = 'wheelhouse' | 'redhat';

const syntaxCodes = new Set(['yaml-syntax', 'duplicate-key', 'excessive-aliases']);
const schemaCodes = new Set(['missing-api-version', 'missing-kind', 'unknown-api-version', 'unknown-kind', 'unknown-field', 'type', 'required', 'enum', 'format',
  'invalid-name', 'invalid-label', 'invalid-port', 'invalid-cron']);

export function dedupDiagnostics<D>(diagnostics: readonly D[], owner: ValidationOwner, redHatInstalled: boolean, codeOf: (d: D) => string | number | undefined): D[] {
  if (!redHatInstalled) return [...diagnostics];
  return diagnostics.filter((d) => {
    const code = String(codeOf(d) ?? '');
    if (syntaxCodes.has(code)) return false;
    if (owner === 'redhat' && schemaCodes.has(code)) return false;
    return true;
  });
}
