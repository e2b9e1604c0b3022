// Process settings (DESIGN.md 1.1): environment first, then defaults. The YAML file is read by config/load.ts.
import { resolve, join } from 'node:path';
import { existsSync } from 'node:fs';

export interface Settings {
  dataDir: string;
  configFile: string | undefined;
  host: string;
  port: number;
  db: string; // sqlite file path or postgres:// URL
  adminPassword: string | undefined;
  baseUrl: string | undefined;
  logLevel: string;
  /** The environment these settings came from; wharf.yaml's ${NAME} references are resolved in it. */
  env: NodeJS.ProcessEnv;
}

/** Reads settings from an environment (defaults to process.env). Never throws for missing values. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const dataDir = resolve(env.WHARF_DATA || './data');
  const defaultConfig = join(dataDir, 'wharf.yaml');
  const port = Number(env.WHARF_PORT || 8081);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`WHARF_PORT: not a port number: ${env.WHARF_PORT}`);
  return {
    dataDir,
    configFile: env.WHARF_CONFIG ? resolve(env.WHARF_CONFIG) : existsSync(defaultConfig) ? defaultConfig : undefined,
    host: env.WHARF_HOST || '0.0.0.0',
    port,
    db: env.WHARF_DB || join(dataDir, 'db', 'wharf.sqlite'),
    adminPassword: env.WHARF_ADMIN_PASSWORD || undefined,
    baseUrl: env.WHARF_BASE_URL ? env.WHARF_BASE_URL.replace(/\/+$/, '') : undefined,
    logLevel: env.WHARF_LOG_LEVEL || 'info',
    env,
  };
}
