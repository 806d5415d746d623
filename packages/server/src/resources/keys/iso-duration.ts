/**
 * ISO 8601 durations as rotation policies use them ("P90D", "P1Y6M", "PT48H", "P1Y10D").
 * Years and months are calendar steps in UTC, so "P1M" after 31 January is the end of February,
 * as a person would count it.
 */
export interface IsoDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const PATTERN =
  /^P(?:(\d{1,4})Y)?(?:(\d{1,5})M)?(?:(\d{1,5})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,7})H)?(?:(\d{1,9})M)?(?:(\d{1,10})S)?)?$/;

export function parseIsoDuration(text: string): IsoDuration | undefined {
  const match = PATTERN.exec(text);
  if (!match || text === "P" || text.endsWith("T")) return undefined;
  const [years, months, weeks, days, hours, minutes, seconds] = match
    .slice(1)
    .map((part) => Number(part ?? 0));
  const duration = {
    years: years as number,
    months: months as number,
    weeks: weeks as number,
    days: days as number,
    hours: hours as number,
    minutes: minutes as number,
    seconds: seconds as number,
  };
  return Object.values(duration).some((value) => value > 0) ? duration : undefined;
}

/** `time` moved by the duration, forwards (sign 1) or backwards (sign -1). */
export function shiftByDuration(time: number, duration: IsoDuration, sign: 1 | -1): number {
  const date = new Date(time);
  date.setUTCFullYear(date.getUTCFullYear() + sign * duration.years);
  date.setUTCMonth(date.getUTCMonth() + sign * duration.months);
  const fixedMs =
    ((((duration.weeks * 7 + duration.days) * 24 + duration.hours) * 60 + duration.minutes) * 60 +
      duration.seconds) *
    1000;
  return date.getTime() + sign * fixedMs;
}

/** The shortest the duration can be, in days (a month counts as 28 days, a year as 365). */
export function minimumDays(duration: IsoDuration): number {
  return (
    duration.years * 365 +
    duration.months * 28 +
    duration.weeks * 7 +
    duration.days +
    (duration.hours * 3600 + duration.minutes * 60 + duration.seconds) / 86400
  );
}
