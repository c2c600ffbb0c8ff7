/** The open terminal tabs of this browser tab: kept in sessionStorage so a reload re-attaches them. */
export interface TermTab {
  key: string;
  agentId: string;
  name: string;
  sessionId?: string;
}

const KEY = 'webxterm.tabs';

export function loadTabs(): { tabs: TermTab[]; active: string | null } {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as { tabs: TermTab[]; active: string | null } | null;
    if (v && Array.isArray(v.tabs)) return v;
  } catch { /* start empty */ }
  return { tabs: [], active: null };
}

export function saveTabs(v: { tabs: TermTab[]; active: string | null }): void {
  try { sessionStorage.setItem(KEY, JSON.stringify(v)); } catch { /* memory only */ }
}

let counter = 0;
export function newTabKey(): string {
  counter += 1;
  return `t${Date.now().toString(36)}${counter}`;
}
