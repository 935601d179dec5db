// The language server's entry point (issue 7): `node dist/server.js --stdio`.
console.error('wheelhouse language server: not built yet.');
process.exit(2);
