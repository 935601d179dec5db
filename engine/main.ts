// The engine process: `node dist/engine.js <serve|up|down|status|kubeconfig>` (see engine/cli/main.ts).
import { main } from './cli/main.ts';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`wheelhouse: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
