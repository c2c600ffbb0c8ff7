/** Keys a phone keyboard lacks: shown on narrow screens under the terminal. */
const KEYS: { label: string; seq: string; name: string }[] = [
  { label: 'Esc', seq: '\x1b', name: 'Escape' },
  { label: 'Ctrl', seq: 'CTRL', name: 'Control (applies to the next key)' },
  { label: 'Tab', seq: '\t', name: 'Tab' },
  { label: '←', seq: '\x1b[D', name: 'Left arrow' },
  { label: '↑', seq: '\x1b[A', name: 'Up arrow' },
  { label: '↓', seq: '\x1b[B', name: 'Down arrow' },
  { label: '→', seq: '\x1b[C', name: 'Right arrow' },
];

export function KeyBar({ onKey, ctrl }: { onKey(seq: string): void; ctrl: boolean }) {
  return (
    <div className="keybar" role="toolbar" aria-label="Extra keys">
      {KEYS.map((k) => (
        <button key={k.label} type="button" className="btn btn-small" aria-label={k.name}
          aria-pressed={k.seq === 'CTRL' ? ctrl : undefined}
          onMouseDown={(e) => e.preventDefault()} onClick={() => onKey(k.seq)}>{k.label}</button>
      ))}
    </div>
  );
}
