/**
 * Entry of dist/client-lsp.js: the language client library, required by lsp/languageClient.ts on the first YAML
 * document (esbuild.mjs rewrites its dynamic `import('vscode-languageclient/node')` into
 * `require('./client-lsp.js')`), so activation does not compile it.
 */
export { LanguageClient, TransportKind } from 'vscode-languageclient/node';
