// Makes sure the programs the tests drive are installed: installs the missing ones with apt-get when running
// as root, otherwise prints the exact command and fails. Called by `npm test` before the test runner.
import { execSync, spawnSync } from 'node:child_process';

// program -> Debian package
const needed = {
  skopeo: 'skopeo',
  podman: 'podman',
  umoci: 'umoci',
  'docker-registry': 'docker-registry',
  wrk: 'wrk',
  curl: 'curl',
  wget: 'wget', // the raw format's tests (downloads, --mirror of a published site)
  htpasswd: 'apache2-utils',
  haproxy: 'haproxy', // the TLS-terminating reverse proxy of test/security/tls.test.ts, run by the test itself
  openssl: 'openssl',
  slapd: 'slapd', // the tests run their own slapd process, never the system service
  ldapadd: 'ldap-utils',
  initdb: 'postgresql', // the PostgreSQL test run starts its own server (test/helpers/postgres.ts), never the system one
  chromium: 'chromium', // the web UI's browser tests (test/ui/), driven by playwright-core; never a downloaded browser
};

// slapd lives in /usr/sbin and Debian's PostgreSQL programs in /usr/lib/postgresql/<version>/bin, not on PATH.
const has = (program) => spawnSync('sh', ['-c', `command -v ${program} || test -x /usr/sbin/${program} || ls /usr/lib/postgresql/*/bin/${program}`], { stdio: 'ignore' }).status === 0;
const missing = [...new Set(Object.entries(needed).filter(([p]) => !has(p)).map(([, pkg]) => pkg))];
if (!missing.length) process.exit(0);

const command = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing.join(' ')}`;
if (process.getuid?.() !== 0) {
  console.error(`The tests need: ${missing.join(', ')}. Install them with:\n  sudo sh -c '${command}'`);
  process.exit(1);
}
console.log(`installing test dependencies: ${missing.join(' ')}`);
execSync(command, { stdio: 'inherit', shell: '/bin/sh' });
