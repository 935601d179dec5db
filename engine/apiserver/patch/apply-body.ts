/**
 * Decoding of server-side apply bodies (`application/apply-patch+yaml`): kubectl sends JSON, other clients
 * YAML. `decodeApplyBody(body)` answers the configuration object or throws PatchError 400.
 *
 * Why a pre-scan: the `yaml` package composes documents recursively, and a body nested a few thousand
 * levels deep (`[[[[…` or `- - - - …`, a few KiB) exhausts its stack or, worse, aborts the process with an
 * out-of-memory while building the error message (seen with yaml 2.x on Node 20). So the text is first run
 * through the package's own lexer (iterative), counting flow nesting and, per line, indentation plus
 * block indicators — an upper bound of the block nesting — and refused past MAX_YAML_NESTING before any
 * document is composed. Aliases are capped (alias bombs), and the decoded value's depth is checked again.
 */
import { Lexer, parseDocument } from 'yaml';
import { PatchError, badRequest, checkDepth, isObject } from './errors.ts';

/** Bound on flow depth + indentation columns + block indicators on one line. Manifests stay far below. */
export const MAX_YAML_NESTING = 400;
const MAX_ALIASES = 100;

export function decodeApplyBody(body: string | Uint8Array): object {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const trimmed = text.trimStart();
  let value: unknown;
  if (trimmed.startsWith('{')) {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw badRequest(`error decoding JSON apply configuration: ${(err as Error).message}`);
    }
  } else {
    value = decodeYaml(text);
  }
  if (!isObject(value)) throw badRequest('the apply configuration must be an object (a YAML mapping or a JSON object)');
  checkDepth(value, 'the apply configuration');
  return value;
}

function decodeYaml(text: string): unknown {
  prescan(text);
  try {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true });
    if (doc.errors.length > 0) throw badRequest(`error decoding YAML apply configuration: ${doc.errors[0].message}`);
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    if (err instanceof PatchError) throw err;
    throw badRequest(`error decoding YAML apply configuration: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`);
  }
}

/** Refuses text whose nesting could exceed MAX_YAML_NESTING (see the module comment). */
function prescan(text: string): void {
  let flow = 0;
  let indent = 0;
  let indicators = 0;
  let lineStart = true;
  for (const tok of new Lexer().lex(text)) {
    if (tok === '\n' || tok === '\r\n') {
      lineStart = true;
      indent = 0;
      indicators = 0;
      continue;
    }
    if (lineStart && /^ +$/.test(tok)) {
      indent = tok.length;
      lineStart = false;
      continue;
    }
    lineStart = false;
    if (tok === '[' || tok === '{') flow++;
    else if ((tok === ']' || tok === '}') && flow > 0) flow--;
    else if (tok === '-' || tok === '?' || tok === ':') indicators++;
    if (flow + indent + indicators > MAX_YAML_NESTING) {
      throw badRequest(`the apply configuration nests deeper than ${MAX_YAML_NESTING} levels`);
    }
  }
}
