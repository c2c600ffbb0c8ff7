/** Terminal preferences of this browser (not secrets): font size, theme, renderer. */
export interface TerminalPrefs {
  fontSize: number;
  theme: 'system' | 'dark' | 'light';
  /** 'auto' tries WebGL and falls back to the DOM renderer; 'dom' never tries WebGL. */
  renderer: 'auto' | 'dom';
  /** xterm.js's screen-reader mode: rows mirrored into an accessible live region. */
  screenReader: boolean;
}

const KEY = 'webxterm.terminal';
const DEFAULTS: TerminalPrefs = { fontSize: 14, theme: 'system', renderer: 'auto', screenReader: false };

export function loadPrefs(): TerminalPrefs {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<TerminalPrefs>;
    return {
      fontSize: typeof v.fontSize === 'number' && v.fontSize >= 8 && v.fontSize <= 32 ? v.fontSize : DEFAULTS.fontSize,
      theme: v.theme === 'dark' || v.theme === 'light' ? v.theme : 'system',
      renderer: v.renderer === 'dom' ? 'dom' : 'auto',
      screenReader: v.screenReader === true,
    };
  } catch {
    return DEFAULTS;
  }
}

export function savePrefs(p: TerminalPrefs): void {
  try { localStorage.setItem(KEY, JSON.stringify(p)); } catch { /* private mode */ }
}

export const DARK = {
  background: '#0f172a', foreground: '#e2e8f0', cursor: '#34d399', cursorAccent: '#0f172a', selectionBackground: '#334155',
  black: '#1e293b', red: '#f87171', green: '#4ade80', yellow: '#facc15', blue: '#60a5fa', magenta: '#c084fc', cyan: '#22d3ee', white: '#e2e8f0',
  brightBlack: '#64748b', brightRed: '#fca5a5', brightGreen: '#86efac', brightYellow: '#fde047', brightBlue: '#93c5fd', brightMagenta: '#d8b4fe', brightCyan: '#67e8f9', brightWhite: '#f8fafc',
};

export const LIGHT = {
  background: '#ffffff', foreground: '#1e293b', cursor: '#047857', cursorAccent: '#ffffff', selectionBackground: '#bfdbfe',
  black: '#1e293b', red: '#b91c1c', green: '#15803d', yellow: '#a16207', blue: '#1d4ed8', magenta: '#7e22ce', cyan: '#0e7490', white: '#e2e8f0',
  brightBlack: '#475569', brightRed: '#dc2626', brightGreen: '#16a34a', brightYellow: '#ca8a04', brightBlue: '#2563eb', brightMagenta: '#9333ea', brightCyan: '#0891b2', brightWhite: '#f8fafc',
};

export function themeFor(p: TerminalPrefs): typeof DARK {
  const dark = p.theme === 'dark' || (p.theme === 'system' && window.matchMedia?.('(prefers-color-scheme: dark)').matches);
  return dark ? DARK : LIGHT;
}
