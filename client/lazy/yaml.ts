/**
 * The activation bundle's stand-in for the `yaml` package (esbuild.mjs redirects client imports of 'yaml' here):
 * each export forwards to dist/client-yaml.js, required on the first call, so activation does not compile or
 * initialise the YAML library (~115 KiB). Only the names the client uses are forwarded; importing another name
 * from 'yaml' in client/ fails the build ("No matching export") until it is added here.
 */
import type * as Yaml from 'yaml';

let lib: typeof Yaml | undefined;
function yaml(): typeof Yaml {
  // A plain require: the bundles are CommonJS and './client-yaml.js' resolves next to the requiring bundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  lib ??= require('./client-yaml.js') as typeof Yaml;
  return lib;
}

type Forwarded = 'parse' | 'stringify' | 'parseAllDocuments' | 'isMap' | 'isScalar';
/** A function with the library's own signature (overloads included) that calls it on first use. */
function forward<K extends Forwarded>(name: K): (typeof Yaml)[K] {
  return ((...args: unknown[]) => (yaml()[name] as (...a: unknown[]) => unknown)(...args)) as (typeof Yaml)[K];
}

export const parse = forward('parse');
export const stringify = forward('stringify');
export const parseAllDocuments = forward('parseAllDocuments');
export const isMap = forward('isMap');
export const isScalar = forward('isScalar');
/** `new LineCounter()` returns the library's own instance (a constructor that returns an object yields it). */
export const LineCounter = function LineCounter() { return new (yaml().LineCounter)(); } as unknown as typeof Yaml.LineCounter;
