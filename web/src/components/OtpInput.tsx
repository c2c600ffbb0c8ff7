import { useRef, type ClipboardEvent, type KeyboardEvent } from 'react';

interface Props {
  value: string;
  onChange(value: string): void;
  /** Called once all six digits are there. */
  onComplete?(code: string): void;
  disabled?: boolean;
  length?: number;
}

/**
 * The emailed code as six one-digit boxes: typing moves on, Backspace moves back, arrows move,
 * and pasting the whole code (in any box, spaces or dashes included) fills every box.
 */
export function OtpInput({ value, onChange, onComplete, disabled, length = 6 }: Props) {
  const refs = useRef<(HTMLInputElement | null)[]>([]);
  const digits = Array.from({ length }, (_, i) => value[i] ?? '');

  const focus = (i: number) => refs.current[Math.max(0, Math.min(length - 1, i))]?.focus();

  const set = (next: string) => {
    const clean = next.replace(/\D/g, '').slice(0, length);
    onChange(clean);
    if (clean.length === length) onComplete?.(clean);
  };

  const typeAt = (i: number, raw: string) => {
    let d = raw.replace(/\D/g, '');
    if (d.length === 2 && digits[i] && d.startsWith(digits[i])) d = d.slice(1); // typed after the old digit
    if (!d) return;
    if (d.length > 1) { // autofill or a paste the browser delivered as input
      set(d);
      focus(d.length);
      return;
    }
    const arr = digits.slice();
    arr[i] = d;
    set(arr.join(''));
    if (i < length - 1) focus(i + 1);
  };

  const onKeyDown = (i: number, e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Backspace') {
      e.preventDefault();
      const arr = digits.slice();
      if (arr[i]) { arr[i] = ''; set(arr.join('')); } else if (i > 0) { arr[i - 1] = ''; set(arr.join('')); focus(i - 1); }
    } else if (e.key === 'ArrowLeft') { e.preventDefault(); focus(i - 1); } else if (e.key === 'ArrowRight') { e.preventDefault(); focus(i + 1); }
  };

  const onPaste = (e: ClipboardEvent<HTMLInputElement>) => {
    const text = e.clipboardData.getData('text');
    const d = text.replace(/\D/g, '');
    if (!d) return;
    e.preventDefault();
    set(d);
    focus(Math.min(d.length, length - 1));
  };

  return (
    <fieldset className="otp" disabled={disabled}>
      <legend>Code from the email</legend>
      <div className="otp-boxes">
        {digits.map((d, i) => (
          <input
            key={i}
            ref={(el) => { refs.current[i] = el; }}
            aria-label={`Digit ${i + 1} of ${length}`}
            inputMode="numeric"
            autoComplete={i === 0 ? 'one-time-code' : 'off'}
            pattern="[0-9]*"
            maxLength={i === 0 ? length : 1}
            value={d}
            onChange={(e) => typeAt(i, e.target.value)}
            onKeyDown={(e) => onKeyDown(i, e)}
            onPaste={onPaste}
            onFocus={(e) => e.target.select()}
          />
        ))}
      </div>
    </fieldset>
  );
}
