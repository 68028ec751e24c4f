// Numbers, times listened and chart dates written the one way, the twin of durations.py
// (duration, duration_days, thousands): pages rebuilt by JavaScript read exactly like the
// server's. tests/browser/test_format_browser.py runs durations.py's cases through both.

const grouped = new Intl.NumberFormat('en');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** From this many hours a total drops its minutes (durations.HOURS_ONLY_FROM). */
const HOURS_ONLY_FROM = 48;

/** Python's round(): halves to even, so both sides agree on x.5 minutes. */
function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A whole number with thousands separators: 80048 -> '80,048'. */
export const thousands = (n) => grouped.format(roundHalfEven(n));

/** '0 min', '47 min', '2 h 47 min', '3 h', '1,334 h'. */
export function duration(totalMinutes) {
  const whole = Math.max(0, roundHalfEven(totalMinutes || 0));
  const h = Math.floor(whole / 60);
  const m = whole % 60;
  if (h === 0) return `${m} min`;
  if (h >= HOURS_ONLY_FROM) return `${thousands(whole / 60)} h`;
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** '55 days 14 h' for a day or more; shorter times as duration(). */
export function durationDays(totalMinutes) {
  const whole = Math.max(0, roundHalfEven(totalMinutes || 0));
  let days = Math.floor(whole / 1440);
  if (days === 0) return duration(whole);
  let h = roundHalfEven((whole % 1440) / 60);
  if (h === 24) { days += 1; h = 0; }
  const unit = days === 1 ? 'day' : 'days';
  return h ? `${thousands(days)} ${unit} ${h} h` : `${thousands(days)} ${unit}`;
}

/** A share (0-1) as '12.2%'. */
export const percent = (share) => `${(Math.round(share * 1000) / 10).toFixed(1)}%`;

/** A period label as the stats API names it ('2025-12-08' day or week, '2025-12' month)
 * in a person's words: '8 Dec' (with the year, '8 Dec 2025', when `withYear`), 'Dec 2025'. */
export function periodLabel(period, withYear = false) {
  const [y, m, d] = period.split('-');
  const month = MONTHS[Number(m) - 1];
  if (!d) return `${month} ${y}`;
  return withYear ? `${Number(d)} ${month} ${y}` : `${Number(d)} ${month}`;
}

/** The tooltip title of a period: the day, 'week of 8 Dec 2025', or 'Dec 2025'. */
export function periodTitle(period, bucket) {
  if (bucket === 'week') return `week of ${periodLabel(period, true)}`;
  return periodLabel(period, true);
}
