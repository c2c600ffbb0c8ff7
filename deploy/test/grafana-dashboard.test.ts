/**
 * The Grafana dashboard (deploy/grafana/webxterm.json) queries only metrics the services define.
 * The metrics are built by the same modules the composition roots call; e2e/observability.test.ts
 * checks the same names against the /metrics answers of running services.
 */
import type { NatsConnection } from '@webxterm/kit';
import { ServiceMetrics } from '@webxterm/kit';
import { meterConnectedAgents } from '../../agent-bridge/src/bridge-metrics';
import { meterAuditConsumer } from '../../audit-svc/src/messaging/consumer-metrics';
import { countingLogins } from '../../auth-svc/src/login-metrics';
import { RelayMeter } from '../../terminal-svc/src/ws/relay-meter';
import { baseMetric, dashboardQueries, metricNames } from './lib/dashboard';

function definedMetrics(): { names: Set<string>; histograms: Set<string> } {
  const metrics = new ServiceMetrics('any');
  new RelayMeter(metrics);
  meterConnectedAgents(metrics, 'bridge', () => 0);
  meterAuditConsumer(metrics, {} as NatsConnection, 'AUDIT', 'audit-svc', { stored: 0, duplicates: 0, invalid: 0, failedBatches: 0 });
  countingLogins({ record: () => undefined }, metrics);
  const all = metrics.registry.getMetricsAsArray() as unknown as { name: string; type: string }[];
  return { names: new Set(all.map((m) => m.name)), histograms: new Set(all.filter((m) => m.type === 'histogram').map((m) => m.name)) };
}

test('the PromQL reader finds metric names, not functions, labels or keywords', () => {
  expect(metricNames('histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{service=~"a|b",status="5.."}[5m])))'))
    .toEqual(['http_request_duration_seconds_bucket']);
  expect(metricNames('sum(rate(a_total[1m])) / sum without (pod) (b_total) and on (x) c')).toEqual(['a_total', 'b_total', 'c']);
});

test('every metric the dashboard queries is defined by a service', () => {
  const { names, histograms } = definedMetrics();
  const queries = dashboardQueries();
  expect(queries.length).toBeGreaterThan(10);
  const unknown = queries.flatMap(({ panel, expr }) => metricNames(expr).filter((n) => !names.has(baseMetric(n, histograms))).map((n) => `${panel}: ${n}`));
  expect(unknown).toEqual([]);
});

test('the dashboard has a panel for each figure the operator watches', () => {
  const queried = new Set(dashboardQueries().flatMap((q) => metricNames(q.expr)));
  for (const m of ['http_request_duration_seconds_count', 'terminal_sockets_open', 'terminal_output_bytes_total', 'agent_bridge_agents_connected',
    'terminal_ping_rtt_seconds_bucket', 'audit_consumer_pending_messages', 'auth_logins_total']) expect(queried).toContain(m);
});
