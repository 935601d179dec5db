/**
 * Entry of dist/client-commands.js: the command modules, loaded on the first command the user runs (see
 * lazy/lazyCommands.ts). Registers every command of these modules for real; `ctx` and `docs` are the activation
 * bundle's own objects, passed in, so all state stays shared (the modules themselves keep none at module level).
 */
import type { Ctx } from '../ctx.ts';
import type { ReadonlyDocs } from '../commands/docs.ts';
import { registerClusterCommands } from '../commands/clusterCommands.ts';
import { registerRollout } from '../commands/rollout.ts';
import { registerPods } from '../commands/pods.ts';
import { registerResources } from '../commands/resources.ts';
import { registerNodes } from '../commands/nodes.ts';
import { registerApply } from '../commands/apply.ts';
import { registerCompose } from '../commands/compose.ts';

export function registerCommands(ctx: Ctx, docs: ReadonlyDocs): void {
  registerClusterCommands(ctx);
  registerRollout(ctx, docs);
  registerPods(ctx);
  registerResources(ctx, docs);
  registerNodes(ctx);
  registerApply(ctx, docs);
  registerCompose(ctx);
  // New command modules register here (one call per module).
}
