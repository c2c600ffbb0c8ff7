export { testEnv, type TestEnv } from './env';
export { freePort } from './ports';
export { uniqueName } from './names';
export { startMailDev, type Mail, type MailDev } from './maildev';
export { readAuditEvents, type ReadAuditOptions } from './audit';
export { startServiceProcess, type ServiceProcess } from './service-process';
export { waitUntil, WaitTimeout, type NotYet } from './wait';
export { parsePrometheus, sampleValue, scrapeMetrics, type PromSample } from './prometheus';
export { expectedShellCommands, playShellScenario, SCENARIO_PASSWORD, type ExpectedShellCommand, type ScenarioShell, type ShellDriver } from './shell-scenario';
