/** IntOrString scaling (apimachinery util/intstr.GetScaledValueFromIntOrPercent). */
export type IntOrString = number | string;

export class IntOrStringError extends Error {}

/**
 * An int is returned as is; "N%" is N percent of total, rounded up or down. Anything else throws with
 * upstream's wording.
 */
export function getScaledValueFromIntOrPercent(v: IntOrString | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) throw new IntOrStringError('nil value for IntOrString');
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    if (/^\d+$/.test(v)) throw new IntOrStringError(`invalid type: string is not a percentage`);
    throw new IntOrStringError(`invalid value for IntOrString: invalid value "${v}": strconv.Atoi: parsing "${v.replace(/%$/, '')}": invalid syntax`);
  }
  const pct = Number(m[1]);
  const exact = (pct * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
