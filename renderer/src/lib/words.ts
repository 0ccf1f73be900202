/** Small wording helpers, so counts read right everywhere ("1 face", "2 faces", never "1 faces" or "face(s)"). */

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}

/** "a", "a and b", "a, b and c". */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** 'YYYY-MM' as "March 2021". */
export function monthLabel(month: string): string {
  const [year, m] = month.split('-');
  const name = MONTHS[Number(m) - 1];
  return name && year ? `${name} ${year}` : month;
}

/** An ISO local date-time as "2021-07-04 12:30". */
export function dateTimeLabel(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

/** A time in milliseconds as "today 14:05", else "2026-12-01 14:05" (local). */
export function whenLabel(ms: number, now = Date.now()): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const today = new Date(now);
  const sameDay = today.getFullYear() === date.getFullYear() && today.getMonth() === date.getMonth() && today.getDate() === date.getDate();
  return sameDay ? `today ${time}` : `${day} ${time}`;
}

/** Where a photo's date comes from, in words. */
export function dateSourceLabel(source: string): string {
  switch (source) {
    case 'exif': return 'date taken (EXIF)';
    case 'xmp': return 'date taken (XMP)';
    case 'quicktime': return 'date recorded (video)';
    case 'file': return 'file date (the photo has no date taken)';
    default: return source;
  }
}

/** A reason as a sentence: capitalised, ending with a full stop. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  const capital = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/u.test(capital) ? capital : `${capital}.`;
}
