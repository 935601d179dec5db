/**
 * Value formats the API server validates beyond the schema's types: object names, label and annotation keys and
 * values, ports, cron schedules. Each check returns undefined when the value is valid, else the reason in
 * upstream's words (k8s.io/apimachinery/pkg/util/validation).
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function dns1123Label(v: string): string | undefined {
  if (v.length > 63) return 'must be no more than 63 characters';
  if (!DNS1123_LABEL.test(v)) return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')";
  return undefined;
}

export function dns1123Subdomain(v: string): string | undefined {
  if (v.length > 253) return 'must be no more than 253 characters';
  if (!DNS1123_SUBDOMAIN.test(v)) return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')";
  return undefined;
}

export function dns1035Label(v: string): string | undefined {
  if (v.length > 63) return 'must be no more than 63 characters';
  if (!DNS1035_LABEL.test(v)) return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123')";
  return undefined;
}

/** RBAC object names only need to be valid path segments. */
export function pathSegmentName(v: string): string | undefined {
  if (v === '.' || v === '..') return `may not be '${v}'`;
  if (/[/%]/.test(v)) return "may not contain '/' or '%'";
  return undefined;
}

/** A label or annotation key: an optional DNS-1123 subdomain prefix and a '/', then a name of at most 63 characters. */
export function qualifiedName(v: string): string | undefined {
  const parts = v.split('/');
  let name = v;
  if (parts.length === 2) {
    const [prefix, n] = parts;
    if (prefix.length === 0) return 'prefix part must be non-empty';
    const bad = dns1123Subdomain(prefix);
    if (bad) return `prefix part ${bad}`;
    name = n;
  } else if (parts.length > 2) {
    return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  }
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  if (!QUALIFIED_NAME.test(name)) return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc')";
  return undefined;
}

export function labelValue(v: string): string | undefined {
  if (v.length > 63) return 'must be no more than 63 characters';
  if (!LABEL_VALUE.test(v)) return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')";
  return undefined;
}

export function portNumber(v: number): string | undefined {
  return Number.isInteger(v) && v >= 1 && v <= 65535 ? undefined : 'must be between 1 and 65535, inclusive';
}

/** IANA_SVC_NAME: a port name. */
export function portName(v: string): string | undefined {
  if (v.length > 15) return 'must be no more than 15 characters';
  if (!/^[-a-z0-9]+$/.test(v)) return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
  if (v.includes('--')) return "must not contain consecutive hyphens";
  if (!/[a-z]/.test(v)) return 'must contain at least one letter (a-z)';
  if (v.startsWith('-') || v.endsWith('-')) return 'must not begin or end with a hyphen';
  return undefined;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const CRON_FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 6, names: DAYS },
];
const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

function cronValue(s: string, f: (typeof CRON_FIELDS)[number]): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  const i = f.names?.indexOf(s.toUpperCase()) ?? -1;
  return i < 0 ? undefined : i + (f.min === 1 ? 1 : 0);
}

/** A CronJob schedule as the controller parses it (standard 5-field cron, or a descriptor such as @hourly). */
export function cronSchedule(v: string): string | undefined {
  const s = v.trim();
  if (/^(CRON_)?TZ=/.test(s)) return 'TZ is not supported in the schedule; use spec.timeZone';
  if (s.startsWith('@')) {
    if (DESCRIPTORS.has(s)) return undefined;
    if (/^@every\s+(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return undefined;
    return `unrecognized descriptor: ${s}`;
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5) return `expected exactly 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
  for (let i = 0; i < 5; i++) {
    const f = CRON_FIELDS[i];
    for (const part of fields[i].split(',')) {
      const [range, step, extra] = part.split('/');
      if (extra !== undefined || (step !== undefined && !/^\d+$/.test(step))) return `invalid ${f.name} field: ${fields[i]}`;
      if (step !== undefined && Number(step) === 0) return `invalid ${f.name} field: step must be positive`;
      if (range === '*' || (range === '?' && (i === 2 || i === 4))) continue;
      const [lo, hi, more] = range.split('-');
      const a = cronValue(lo, f);
      const b = hi === undefined ? a : cronValue(hi, f);
      if (more !== undefined || a === undefined || b === undefined) return `invalid ${f.name} field: ${fields[i]}`;
      if (a < f.min || b > f.max || a > b) return `${f.name} out of range (${f.min}-${f.max}): ${fields[i]}`;
    }
  }
  return undefined;
}
