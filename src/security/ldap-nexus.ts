// Nexus's LDAP server shape (REST /v1/security/ldap) to and from Wharf's LdapSettings (wharf.yaml
// security.ldap). Nexus splits the URL into protocol, host and port and writes base DNs relative to a
// searchBase; Wharf keeps one URL and full DNs, so the split is redone on the way out. What Nexus has and
// Wharf does not do is refused by name when it would change who may log in (a user filter, a password
// attribute, dynamic groups, DIGEST binds); what is harmless (retry delay, incident count, trust store) is kept
// in LdapServerExtras so it round-trips, unused.
import type { LdapSettings } from '../config/schema.js';

/** What the REST API's LDAP server has beyond LdapSettings. */
export interface LdapServerExtras {
  name: string;
  searchBase: string;
  useTrustStore?: boolean;
  connectionRetryDelaySeconds?: number;
  maxIncidentsCount?: number;
  userMemberOfAttribute?: string;
}

/** The request body of create, update and verify-connection (defaults already applied by the schema). */
export interface LdapServerBody {
  name: string;
  protocol: 'ldap' | 'ldaps';
  useTrustStore?: boolean;
  host: string;
  port: number;
  searchBase: string;
  authScheme: 'NONE' | 'SIMPLE' | 'DIGEST_MD5' | 'CRAM_MD5';
  authRealm?: string;
  authUsername?: string;
  authPassword?: string;
  connectionTimeoutSeconds: number;
  connectionRetryDelaySeconds: number;
  maxIncidentsCount: number;
  userBaseDn: string;
  userSubtree: boolean;
  userObjectClass: string;
  userLdapFilter?: string;
  userIdAttribute: string;
  userRealNameAttribute?: string;
  userEmailAddressAttribute?: string;
  userPasswordAttribute?: string;
  ldapGroupsAsRoles: boolean;
  groupType: 'static' | 'dynamic';
  groupBaseDn: string;
  groupSubtree: boolean;
  groupObjectClass: string;
  groupIdAttribute: string;
  groupMemberAttribute: string;
  groupMemberFormat: string;
  userMemberOfAttribute?: string;
  cacheTtlSeconds: number;
}

/** The server as the API shows it: the body without authPassword, plus Nexus's id and order. */
export type LdapServerView = Omit<LdapServerBody, 'authPassword' | 'authRealm' | 'userLdapFilter' | 'userPasswordAttribute'>
  & { id: string; order: number; authUsername: string };

export interface FieldProblem { field: string; in: 'body'; message: string }

/** The stored server, for an update or a check that leaves authPassword out. */
export interface StoredLdap { settings: LdapSettings; extras?: LdapServerExtras }

/** A DN under a base: "ou=people" + "dc=example,dc=org". */
const under = (dn: string, base: string) => [dn, base].filter(Boolean).join(',');

/**
 * The settings this body asks for, or the problems that refuse it. Without authPassword, a SIMPLE bind keeps
 * the stored password only while the URL and bind DN stay the same: a changed host must not receive it.
 */
export function toSettings(body: LdapServerBody, stored?: StoredLdap): { settings: LdapSettings; extras: LdapServerExtras } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const refuse = (field: string, message: string) => problems.push({ field, in: 'body', message });
  const url = `${body.protocol}://${body.host}:${body.port}`;
  let bindDn: string | undefined;
  let bindPassword: string | undefined;
  if (body.authScheme === 'DIGEST_MD5' || body.authScheme === 'CRAM_MD5') refuse('authScheme', 'Wharf binds with SIMPLE or NONE only');
  if (body.authRealm) refuse('authRealm', 'only used by DIGEST_MD5, which Wharf does not support');
  if (body.authScheme === 'SIMPLE') {
    bindDn = body.authUsername;
    if (!bindDn) refuse('authUsername', 'required with authScheme SIMPLE');
    bindPassword = body.authPassword;
    if (!bindPassword) {
      const s = stored?.settings;
      if (s?.bindPassword && s.url === url && s.bindDn === bindDn) bindPassword = s.bindPassword;
      else refuse('authPassword', s?.bindPassword ? 'required when protocol, host, port or authUsername change' : 'required with authScheme SIMPLE');
    }
  }
  if (body.userLdapFilter) refuse('userLdapFilter', 'not supported: users are every userObjectClass entry under userBaseDn');
  if (body.userPasswordAttribute) refuse('userPasswordAttribute', 'not supported: Wharf checks passwords by binding as the user');
  if (!body.ldapGroupsAsRoles) refuse('ldapGroupsAsRoles', 'Wharf always maps LDAP groups to roles of the same id');
  if (body.groupType !== 'static') refuse('groupType', 'only static groups (a group entry lists its members) are supported');
  if (!/\$\{(dn|username)\}/.test(body.groupMemberFormat)) refuse('groupMemberFormat', 'must contain ${dn} or ${username}');
  if (problems.length) return { problems };
  const settings: LdapSettings = {
    url,
    ...(bindDn !== undefined && { bindDn, bindPassword }),
    userBaseDn: under(body.userBaseDn, body.searchBase),
    userSubtree: body.userSubtree,
    userObjectClass: body.userObjectClass,
    userIdAttribute: body.userIdAttribute,
    ...(body.userEmailAddressAttribute && { userEmailAddressAttribute: body.userEmailAddressAttribute }),
    ...(body.userRealNameAttribute && { userRealNameAttribute: body.userRealNameAttribute }),
    groupBaseDn: under(body.groupBaseDn, body.searchBase),
    groupSubtree: body.groupSubtree,
    groupObjectClass: body.groupObjectClass,
    groupIdAttribute: body.groupIdAttribute,
    groupMemberAttribute: body.groupMemberAttribute,
    groupMemberFormat: body.groupMemberFormat,
    connectionTimeout: body.connectionTimeoutSeconds,
    cacheTtl: body.cacheTtlSeconds,
  };
  const extras: LdapServerExtras = {
    name: body.name, searchBase: body.searchBase,
    ...(body.useTrustStore !== undefined && { useTrustStore: body.useTrustStore }),
    connectionRetryDelaySeconds: body.connectionRetryDelaySeconds, maxIncidentsCount: body.maxIncidentsCount,
    ...(body.userMemberOfAttribute && { userMemberOfAttribute: body.userMemberOfAttribute }),
  };
  return { settings, extras };
}

/** The name of the configured server: the one given through the API, else (declared in wharf.yaml) its host. */
export function ldapServerName(settings: LdapSettings, extras?: LdapServerExtras): string {
  return extras?.name ?? new URL(settings.url).hostname.replace(/^\[|\]$/g, '');
}

/** The configured server in Nexus's shape, never with the bind password. */
export function toView(settings: LdapSettings, extras?: LdapServerExtras): LdapServerView {
  const url = new URL(settings.url);
  const protocol = url.protocol === 'ldaps:' ? 'ldaps' : 'ldap';
  const name = ldapServerName(settings, extras);
  // wharf.yaml may have moved the base DNs since the API stored searchBase: then show full DNs.
  const base = extras?.searchBase ?? '';
  const isUnder = (dn: string) => !base || dn === base || dn.endsWith(`,${base}`);
  const searchBase = isUnder(settings.userBaseDn) && isUnder(settings.groupBaseDn) ? base : '';
  const relative = (dn: string) => (!searchBase ? dn : dn === searchBase ? '' : dn.slice(0, -searchBase.length - 1));
  return {
    id: name, order: 0, name, protocol, useTrustStore: extras?.useTrustStore ?? false,
    host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (protocol === 'ldaps' ? 636 : 389)), searchBase,
    authScheme: settings.bindDn ? 'SIMPLE' : 'NONE', authUsername: settings.bindDn ?? '',
    connectionTimeoutSeconds: settings.connectionTimeout,
    connectionRetryDelaySeconds: extras?.connectionRetryDelaySeconds ?? 300, maxIncidentsCount: extras?.maxIncidentsCount ?? 3,
    userBaseDn: relative(settings.userBaseDn), userSubtree: settings.userSubtree, userObjectClass: settings.userObjectClass,
    userIdAttribute: settings.userIdAttribute,
    userRealNameAttribute: settings.userRealNameAttribute ?? '', userEmailAddressAttribute: settings.userEmailAddressAttribute ?? '',
    ldapGroupsAsRoles: true, groupType: 'static',
    groupBaseDn: relative(settings.groupBaseDn), groupSubtree: settings.groupSubtree, groupObjectClass: settings.groupObjectClass,
    groupIdAttribute: settings.groupIdAttribute, groupMemberAttribute: settings.groupMemberAttribute,
    groupMemberFormat: settings.groupMemberFormat, userMemberOfAttribute: extras?.userMemberOfAttribute ?? '',
    cacheTtlSeconds: settings.cacheTtl,
  };
}
