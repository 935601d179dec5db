/**
 * The extension-host test entry (`extensionTestsPath`): VS Code calls `run()` inside its extension host,
 * with the real `vscode` API. Mocha (BDD) runs the suites registered by the imported files.
 */
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: true, timeout: 60_000 });
  // Install describe/it as globals before the test files evaluate (they are bundled, so loaded by import()).
  mocha.suite.emit('pre-require', globalThis, 'extension.test', mocha);
  await import('./extension.test.ts');
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} extension-host tests failed`)) : resolve()));
  });
}
