import { Gauge, type ServiceMetrics } from '@webxterm/kit';

/** `agent_bridge_agents_connected{bridge}`: the agents streaming to this replica, read at scrape time. */
export function meterConnectedAgents(metrics: ServiceMetrics, bridgeId: string, connected: () => number): void {
  new Gauge({
    name: 'agent_bridge_agents_connected', help: 'Agents with a live stream to this bridge replica',
    labelNames: ['bridge'], registers: [metrics.registry],
    collect() { this.set({ bridge: bridgeId }, connected()); },
  });
}
