/**
 * Follows a JSON configuration file that the engine replaces (docker cp / putFile) while the agent runs.
 * Polls rather than using fs.watch: inotify does not see files replaced through Docker's archive API
 * on every storage driver. A 100 ms poll (one read of a small file) keeps the agent's share of
 * the 1 s endpoint-propagation target small even on a busy machine.
 * A file that does not parse is reported once and the last good configuration stays in force.
 */
import { readFile } from 'node:fs/promises';

export function followConfig<T>(
  path: string,
  parse: (json: unknown) => T,
  apply: (cfg: T) => Promise<void>,
  log: (line: string) => void,
  intervalMs = 100,
): { stop(): void } {
  let last = '';
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      const text = await readFile(path, 'utf8');
      if (text !== last) {
        last = text;
        await apply(parse(JSON.parse(text)));
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') log(`config ${path}: ${(err as Error).message}`);
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  void tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
