/**
 * Cron schedules as Kubernetes parses them (robfig/cron's standard parser): five fields
 * `minute hour day-of-month month day-of-week`, with `*`, `?`, ranges, steps, lists, month and weekday
 * names, and the macros @yearly/@annually, @monthly, @weekly, @daily/@midnight, @hourly. When both
 * day fields are restricted a day matches either (cron's OR); when one is `*` both must match.
 * Times are evaluated in an IANA time zone through Intl, so DST shifts behave as wall clocks do.
 */
export class CronParseError extends Error {}

interface Field {
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export interface Schedule {
  minute: Set<number>;
  hour: Set<number>;
  dom: Set<number>;
  month: Set<number>;
  dow: Set<number>;
  domStar: boolean;
  dowStar: boolean;
}

function parseValue(s: string, f: Field): number {
  const lower = s.toLowerCase();
  const named = f.names?.indexOf(lower) ?? -1;
  if (named >= 0) return named + f.min;
  if (!/^\d+$/.test(s)) throw new CronParseError(`failed to parse int from ${s}`);
  return Number(s);
}

function parseField(expr: string, f: Field): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const part of expr.split(',')) {
    const [rangePart, stepPart, extra] = part.split('/');
    if (extra !== undefined || rangePart === undefined) throw new CronParseError(`too many slashes: ${part}`);
    let lo: number;
    let hi: number;
    if (rangePart === '*' || rangePart === '?') {
      lo = f.min;
      hi = f.max;
      if (stepPart === undefined) star = true;
    } else {
      const [a, b, more] = rangePart.split('-');
      if (more !== undefined) throw new CronParseError(`too many hyphens: ${part}`);
      lo = parseValue(a!, f);
      hi = b !== undefined ? parseValue(b, f) : stepPart !== undefined ? f.max : lo;
    }
    const step = stepPart !== undefined ? Number(stepPart) : 1;
    if (stepPart !== undefined && (!/^\d+$/.test(stepPart) || step === 0)) throw new CronParseError(`step of range should be a positive number: ${part}`);
    if (lo < f.min) throw new CronParseError(`beginning of range (${lo}) below minimum (${f.min}): ${part}`);
    if (hi > f.max) throw new CronParseError(`end of range (${hi}) above maximum (${f.max}): ${part}`);
    if (lo > hi) throw new CronParseError(`beginning of range (${lo}) beyond end of range (${hi}): ${part}`);
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return { set, star };
}

export function parseSchedule(spec: string): Schedule {
  let s = spec.trim();
  if (!s) throw new CronParseError('empty spec string');
  if (/^(CRON_)?TZ=/.test(s)) throw new CronParseError('TZ or CRON_TZ in schedule is not supported, use the timeZone field');
  if (s.startsWith('@')) {
    const m = MACROS[s.toLowerCase()];
    if (!m) throw new CronParseError(`unrecognized descriptor: ${s}`);
    s = m;
  }
  const parts = s.split(/\s+/);
  if (parts.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${parts.length}: ${spec}`);
  const [mi, h, dom, mo, dow] = parts.map((p, i) => parseField(p, FIELDS[i]!));
  return { minute: mi!.set, hour: h!.set, dom: dom!.set, month: mo!.set, dow: dow!.set, domStar: dom!.star, dowStar: dow!.star };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws CronParseError for an unknown IANA zone. */
export function checkTimeZone(tz: string): void {
  zoneFormatter(tz);
}

function zoneFormatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short',
      });
    } catch {
      throw new CronParseError(`unknown time zone ${tz}`);
    }
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

interface Local {
  month: number;
  day: number;
  hour: number;
  minute: number;
  dow: number;
}

function local(t: number, tz: string): Local {
  const parts = zoneFormatter(tz).formatToParts(new Date(t));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { month: Number(get('month')), day: Number(get('day')), hour: Number(get('hour')) % 24, minute: Number(get('minute')), dow: WEEKDAYS.indexOf(get('weekday')) };
}

function dayMatches(s: Schedule, l: Local): boolean {
  const domOk = s.dom.has(l.day);
  const dowOk = s.dow.has(l.dow);
  return s.domStar || s.dowStar ? domOk && dowOk : domOk || dowOk;
}

const MINUTE = 60_000;

/** The first activation strictly after t (ms), or undefined if none within five years (as robfig). */
export function nextAfter(s: Schedule, t: number, tz = 'UTC'): number | undefined {
  let cur = Math.floor(t / MINUTE) * MINUTE + MINUTE;
  const limit = t + 5 * 366 * 24 * 60 * MINUTE;
  while (cur <= limit) {
    const l = local(cur, tz);
    if (!s.month.has(l.month) || !dayMatches(s, l)) {
      // Jump towards the next local midnight, an hour short of it so a 23-hour DST day cannot be overshot.
      const toMidnight = (23 - l.hour) * 60 + (60 - l.minute);
      cur += (toMidnight > 60 ? toMidnight - 60 : toMidnight) * MINUTE;
      continue;
    }
    if (!s.hour.has(l.hour)) {
      cur += (60 - l.minute) * MINUTE;
      continue;
    }
    if (!s.minute.has(l.minute)) {
      cur += MINUTE;
      continue;
    }
    return cur;
  }
  return undefined;
}
