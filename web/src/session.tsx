// Who is signed in, and what they may administer: GET /security/current-user, asked again after each
// sign-in and sign-out. Pages ask `can(domain, action)` to hide what would only answer 403.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, credentials, setOnExpired } from './api';

export interface CurrentUser {
  userId: string | null;
  anonymous: boolean;
  realm: string | null;
  firstName: string;
  lastName: string;
  roles: string[];
  token: boolean;
  permissions: Record<string, string[]>;
  anonymousAccess: boolean;
}

interface Session {
  user: CurrentUser | undefined;
  /** Throws ApiError (401 for wrong credentials). */
  signIn(userId: string, password: string): Promise<void>;
  signOut(): void;
  can(domain: string, action: string): boolean;
  /** Set when stored credentials stopped working: the sign-in page says so. */
  expired: boolean;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<CurrentUser>();
  const [expired, setExpired] = useState(false);
  const [failed, setFailed] = useState<Error>();

  const load = useCallback(async () => {
    try {
      setUser(await api<CurrentUser>('/security/current-user'));
      setFailed(undefined);
    } catch (err) {
      if (credentials.get()) { credentials.clear(); return load(); }
      setFailed(err as Error);
    }
  }, []);

  useEffect(() => {
    setOnExpired(() => { credentials.clear(); setExpired(true); void load(); });
    void load();
  }, [load]);

  const signIn = async (userId: string, password: string) => {
    credentials.set(userId, password);
    try {
      const me = await api<CurrentUser>('/security/current-user', { expireOn401: false });
      setUser(me);
      setExpired(false);
    } catch (err) {
      credentials.clear();
      throw err;
    }
  };
  const signOut = () => { credentials.clear(); setExpired(false); void load(); };
  const can = (domain: string, action: string) => !!user?.permissions[domain]?.includes(action);

  if (failed) {
    return <main className="boot-error" role="alert"><h1>Wharf is not answering</h1><p>{failed.message}</p><button type="button" onClick={() => void load()}>Try again</button></main>;
  }
  return <SessionContext.Provider value={{ user, signIn, signOut, can, expired }}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
