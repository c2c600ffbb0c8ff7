// `npm start`: dependencies, PostgreSQL/Redis/NATS, MailDev and the services, in the foreground.
// Plain Node with built-in modules only: it runs before `npm install` ever happened.
import { MAILDEV } from './lib/config.mjs';
import { ensureNpmDeps } from './lib/deps.mjs';
import { ensureInfra } from './lib/infra.mjs';
import { assertJetStream, ensureDatabase } from './lib/checks.mjs';
import { ensureMailDev } from './lib/maildev.mjs';
import { ensureConsoleBuilt } from './lib/console.mjs';
import { gatewayPort, stackEnv, startServices } from './lib/services.mjs';
import { ProcessGroup, stopOnSignals } from './lib/procs.mjs';
import { bold, dim, reportFailure } from './lib/log.mjs';

const group = new ProcessGroup();
stopOnSignals(group);

function printNextSteps(env, started) {
  const api = `http://localhost:${gatewayPort(env)}`;
  const json = (o) => `'${JSON.stringify(o)}'`;
  console.log(`
${bold('WebXTerm is running.')} ${started.length ? `Services: ${started.join(', ')}.` : 'No service exists yet.'}
  Console and API   ${api}
  Emails (MailDev)  http://localhost:${MAILDEV.webPort}  ${dim('every email the platform sends, OTP codes included, lands here')}
  Super admin       ${env.SUPER_ADMIN_EMAIL} / ${env.SUPER_ADMIN_PASSWORD}

What to do next:
  # sign up (creates your organization)
  curl -s ${api}/api/auth/signup -H 'content-type: application/json' \\
    -d ${json({ username: 'alice', email: 'alice@example.com', password: 'a-long-password-1', first_name: 'Alice', last_name: 'Doe', organization_name: 'Acme', company_name: 'Acme Inc' })}
  # log in
  curl -s ${api}/api/auth/login -H 'content-type: application/json' \\
    -d ${json({ email: 'alice@example.com', password: 'a-long-password-1' })}

Ctrl-C stops everything this command started.
`);
}

try {
  ensureNpmDeps();
  const urls = await ensureInfra(group);
  await ensureDatabase(urls.databaseUrl);
  await assertJetStream(urls.natsUrl);
  await ensureMailDev(group);
  await ensureConsoleBuilt(group);
  const env = stackEnv(urls);
  const started = await startServices(group, env);
  printNextSteps(env, started);
} catch (err) {
  // After Ctrl-C the signal handler is already stopping everything and exits by itself.
  if (!group.stopping) {
    reportFailure(err);
    await group.stopAll();
    process.exit(1);
  }
}
