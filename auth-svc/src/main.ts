import { join } from 'node:path';
import type { Server } from 'node:http';
import { AUDIT_STREAM, AUTH_EVENTS_STREAM, MachinesOfTenant } from '@webxterm/contracts';
import {
  AccessTokenVerifier, dependencyCheck, AuditPublisher, Bus, closeServer, connectNats, createHttpApp, createLogger, createPool, createRedis,
  finishApp, Lifecycle, listen, loadConfig, portOf, runAsProcess, runMigrations, serveMetrics, ServiceMetrics,
} from '@webxterm/kit';
import { AuthConfig, AuthConfigSchema } from './config';
import { DirectLoginService } from './domain/direct-login.service';
import { LoginService } from './domain/login.service';
import { Sessions } from './domain/sessions';
import { GroupsService } from './domain/groups.service';
import { OrganizationsService } from './domain/organizations.service';
import { SignupService } from './domain/signup.service';
import { UsersService } from './domain/users.service';
import { TokenIssuer } from './domain/token-issuer';
import { authRoutes } from './http/auth.routes';
import { compatRoutes } from './http/compat.routes';
import { groupRoutes } from './http/groups.routes';
import { organizationRoutes } from './http/organizations.routes';
import { roleRoutes } from './http/roles.routes';
import { userRoutes } from './http/users.routes';
import { profileRoutes } from './http/profile.routes';
import { ProfileService } from './domain/profile.service';
import { AvatarImages } from './domain/avatar-image';
import { SmtpMailer } from './mail/smtp-mailer';
import { announceLoginRevoked, JetStreamDomainEvents } from './messaging/auth.events';
import { serveAuthRpc } from './messaging/auth.handlers';
import { PgStore } from './store/pg-store';
import { BuiltinCredentialStore } from './store/builtin-credentials';
import { RedisOtpStore, RedisRevocationList } from './store/otp.redis';
import { RedisLoginThrottle } from './store/login-throttle.redis';
import { InvitationsService } from './domain/invitations.service';
import { countingLogins } from './login-metrics';

export interface RunningAuthService { server: Server; port: number; metricsPort: number; audit: AuditPublisher; close(): Promise<void> }

/** The composition root: connects, migrates, wires and listens. Nothing else constructs. */
export async function startAuthService(config: AuthConfig): Promise<RunningAuthService> {
  const log = createLogger('auth-svc', config.LOG_LEVEL);
  const metrics = new ServiceMetrics('auth-svc');
  const pool = createPool(config.DATABASE_URL);
  await runMigrations(pool, 'auth', join(__dirname, 'store/migrations'), log);
  const redis = createRedis(config.REDIS_URL);
  const nc = await connectNats(config.NATS_URL, 'auth-svc');
  const bus = new Bus(nc, log);
  await bus.ensureStream(AUDIT_STREAM);
  await bus.ensureStream(AUTH_EVENTS_STREAM);
  const audit = new AuditPublisher(bus, 'auth-svc', log);
  const mailer = new SmtpMailer({
    host: config.SMTP_HOST, port: config.SMTP_PORT, secure: config.SMTP_SECURE,
    user: config.SMTP_USER, password: config.SMTP_PASSWORD, from: config.SMTP_FROM,
  });

  const store = new PgStore(pool);
  const credentials = new BuiltinCredentialStore(pool, { memoryCost: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_TIME_COST });
  const verifier = new AccessTokenVerifier(config.JWT_SECRET, redis);
  const sessions = new Sessions(store, new RedisRevocationList(redis, (sid) => announceLoginRevoked(bus, sid)), new TokenIssuer(config.JWT_SECRET), audit, config.SESSION_MAX_DAYS);
  const throttle = new RedisLoginThrottle(redis, {
    perSource: config.LOGIN_FAILURES_PER_SOURCE, windowSec: config.LOGIN_FAILURE_WINDOW_SEC, slowdownAfter: config.LOGIN_SLOWDOWN_AFTER,
    slowdownMs: config.LOGIN_SLOWDOWN_MS, trustedSec: config.LOGIN_TRUSTED_SOURCE_DAYS * 86_400,
  });
  const login = new LoginService(store, credentials, sessions, new RedisOtpStore(redis), mailer, countingLogins(audit, metrics),
    { ttlMin: config.OTP_TTL_MIN, maxAttempts: config.OTP_MAX_ATTEMPTS }, throttle);
  const signup = new SignupService(store, credentials, audit);
  const direct = new DirectLoginService(store, login, sessions);
  const events = new JetStreamDomainEvents(bus, log);
  const users = new UsersService(store, credentials, sessions, audit, events, (i) => {
    mailer.sendInvitation(i.to, i.username, i.organizationName, i.invitedBy).catch((e: Error) => log.warn({ err: e.message }, 'invitation mail not sent'));
  });
  const invitations = new InvitationsService(store, audit);
  const machineDirectory = async (tenantId: string, ids: string[]) =>
    (await bus.request(MachinesOfTenant, { tenant_id: tenantId, machine_ids: ids })).known;
  const groups = new GroupsService(store, audit, events, machineDirectory);
  const orgs = new OrganizationsService(store, sessions, audit, events);
  const profile = new ProfileService(store, credentials, sessions, throttle,
    new AvatarImages({ maxPixels: config.AVATAR_MAX_PIXELS, maxSide: config.AVATAR_SIDE, concurrency: config.IMAGE_CONCURRENCY }), audit);

  if (config.SUPER_ADMIN_EMAIL && config.SUPER_ADMIN_PASSWORD) {
    if (await signup.ensureSuperAdmin(config.SUPER_ADMIN_EMAIL, config.SUPER_ADMIN_PASSWORD)) {
      log.info({ email: config.SUPER_ADMIN_EMAIL }, 'super_admin created');
    }
  }

  const rpc = serveAuthRpc(bus, store.unscoped);

  const app = createHttpApp({
    service: 'auth-svc', log, metrics, jsonLimit: config.BODY_LIMIT, trustProxy: config.TRUST_PROXY,
    ready: dependencyCheck({ pool, redis, nc }),
  });
  app.use(authRoutes({ signup, login, sessions, verifier }));
  app.use(compatRoutes({ signup, direct, sessions, verifier }));
  app.use(userRoutes({ verifier, users, invitations }));
  app.use(groupRoutes({ verifier, groups }));
  app.use(organizationRoutes({ verifier, orgs }));
  app.use(roleRoutes({ verifier }));
  app.use(profileRoutes({ verifier, profile, avatarMaxBytes: config.AVATAR_MAX_BYTES }));
  finishApp(app);
  const server = await listen(app, config.PORT, config.HOST);
  const metricsServer = await serveMetrics(metrics, config.METRICS_PORT, config.HOST);
  log.info({ port: portOf(server) }, 'auth-svc listening');

  // Shutdown order: stop accepting, flush audit events, drain NATS, then close Redis, mail and PostgreSQL.
  const lifecycle = new Lifecycle(log);
  lifecycle.onShutdown('http', () => closeServer(server));
  lifecycle.onShutdown('rpc', () => rpc.stop());
  lifecycle.onShutdown('audit', () => audit.flush(5000));
  lifecycle.onShutdown('nats', () => nc.drain());
  lifecycle.onShutdown('redis', () => redis.quit());
  lifecycle.onShutdown('mail', () => mailer.close());
  lifecycle.onShutdown('postgres', () => pool.end());
  lifecycle.onShutdown('audit-timer', () => audit.close());
  lifecycle.onShutdown('metrics', () => closeServer(metricsServer, 500), 1000);
  return { server, port: portOf(server), metricsPort: portOf(metricsServer), audit, close: () => lifecycle.shutdown('close') };
}

if (require.main === module) runAsProcess('auth-svc', () => startAuthService(loadConfig(AuthConfigSchema)));
