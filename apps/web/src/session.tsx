import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, getAll, hasToken, onUnauthenticated, setToken } from './api/client.js';
import type { Institution, User } from './api/types.js';
import { navigate } from './router.js';

interface Session {
  user: User | null;
  /** True while a stored token is being checked with GET /me. */
  restoring: boolean;
  /** Set when the session ended on its own (expired token): the sign-in page says so. */
  expired: boolean;
  institutions: Institution[];
  institutionName(id: string | null | undefined): string;
  signIn(username: string, password: string): Promise<void>;
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [restoring, setRestoring] = useState(hasToken());
  const [expired, setExpired] = useState(false);
  const [institutions, setInstitutions] = useState<Institution[]>([]);

  const signOut = useCallback(() => {
    setToken(null);
    setUser(null);
    setInstitutions([]);
    navigate('/login');
  }, []);

  useEffect(
    () =>
      onUnauthenticated(() => {
        setToken(null);
        setUser(null);
        setExpired(true);
        navigate('/login');
      }),
    [],
  );

  useEffect(() => {
    if (!hasToken()) return;
    api
      .get<User>('/me')
      .then(setUser)
      .catch(() => setToken(null))
      .finally(() => setRestoring(false));
  }, []);

  useEffect(() => {
    if (!user) return;
    getAll<Institution>('/institutions').then(setInstitutions, () => setInstitutions([]));
  }, [user]);

  const signIn = useCallback(async (username: string, password: string) => {
    const result = await api.post<{ accessToken: string; user: User }>('/auth/login', { username, password });
    setToken(result.accessToken);
    setExpired(false);
    setUser(result.user);
  }, []);

  const value = useMemo<Session>(
    () => ({
      user,
      restoring,
      expired,
      institutions,
      institutionName: (id) => institutions.find((i) => i.id === id)?.name ?? '',
      signIn,
      signOut,
    }),
    [user, restoring, expired, institutions, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user; pages behind the sign-in gate only. */
export function useUser(): User {
  const { user } = useSession();
  if (!user) throw new Error('not signed in');
  return user;
}
