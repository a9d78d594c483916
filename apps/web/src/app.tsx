import {
  AuditOutlined,
  BankOutlined,
  BarChartOutlined,
  BellOutlined,
  BookOutlined,
  ClockCircleOutlined,
  LogoutOutlined,
  PlusCircleOutlined,
  SwapOutlined,
  TeamOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import { App as AntApp, Badge, Button, Layout, Menu, Result, Space, Spin, Tag, Typography } from 'antd';
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError } from './api/client.js';
import type { Notification, Page, Role } from './api/types.js';
import { I18nProvider, useI18n } from './i18n/i18n.js';
import type { MessageKey } from './i18n/messages.js';
import { usePolling } from './lib/use-api.js';
import { LoginPage } from './pages/login-page.js';
import { WorklistPage } from './pages/worklist-page.js';
import { Link, matchPath, navigate, useLocation } from './router.js';
import { SessionProvider, useSession, useUser } from './session.js';

// The worklist and sign-in ship in the first bundle; everything else loads when first opened.
const ReferralPage = lazy(() => import('./pages/referral-page.js').then((m) => ({ default: m.ReferralPage })));
const NewReferralPage = lazy(() => import('./pages/new-referral-page.js').then((m) => ({ default: m.NewReferralPage })));
const InboxPage = lazy(() => import('./pages/inbox-page.js').then((m) => ({ default: m.InboxPage })));
const StatsPage = lazy(() => import('./pages/stats-page.js').then((m) => ({ default: m.StatsPage })));
const CataloguePage = lazy(() => import('./pages/admin/catalogue-page.js').then((m) => ({ default: m.CataloguePage })));
const InstitutionsPage = lazy(() => import('./pages/admin/institutions-page.js').then((m) => ({ default: m.InstitutionsPage })));
const UsersPage = lazy(() => import('./pages/admin/users-page.js').then((m) => ({ default: m.UsersPage })));
const SettingsPage = lazy(() => import('./pages/admin/settings-page.js').then((m) => ({ default: m.SettingsPage })));
const ReasonCodesPage = lazy(() => import('./pages/admin/reason-codes-page.js').then((m) => ({ default: m.ReasonCodesPage })));

export function App() {
  return (
    <I18nProvider>
      <AntApp>
        <SessionProvider>
          <Root />
        </SessionProvider>
      </AntApp>
    </I18nProvider>
  );
}

function Root() {
  const { user, restoring } = useSession();
  const { pathname, search } = useLocation();
  if (restoring) return <Spin style={{ display: 'block', marginTop: 120 }} />;
  if (!user) {
    const next = pathname === '/login' ? search.get('next') ?? '/' : pathname + (search.toString() ? `?${search}` : '');
    return <LoginPage next={next} />;
  }
  if (pathname === '/login') {
    queueMicrotask(() => navigate(search.get('next') ?? '/', { replace: true }));
    return null;
  }
  return <Shell />;
}

interface NavItem { path: string; key: MessageKey; icon: ReactNode; roles: Role[] }

const NAV: NavItem[] = [
  { path: '/', key: 'nav.worklist', icon: <UnorderedListOutlined />, roles: ['township_doctor', 'county_doctor', 'coordinator'] },
  { path: '/referrals/new', key: 'nav.newUp', icon: <PlusCircleOutlined />, roles: ['township_doctor'] },
  { path: '/referrals/new?direction=down', key: 'nav.newDown', icon: <SwapOutlined />, roles: ['county_doctor'] },
  { path: '/inbox', key: 'nav.inbox', icon: <BellOutlined />, roles: ['township_doctor', 'county_doctor', 'coordinator', 'admin'] },
  { path: '/stats', key: 'nav.stats', icon: <BarChartOutlined />, roles: ['township_doctor', 'county_doctor', 'coordinator', 'admin'] },
  { path: '/admin/catalogue', key: 'nav.catalogue', icon: <BookOutlined />, roles: ['admin'] },
  { path: '/admin/institutions', key: 'nav.institutions', icon: <BankOutlined />, roles: ['admin'] },
  { path: '/admin/users', key: 'nav.users', icon: <TeamOutlined />, roles: ['admin'] },
  { path: '/admin/settings', key: 'nav.settings', icon: <ClockCircleOutlined />, roles: ['admin'] },
  { path: '/admin/reason-codes', key: 'nav.reasonCodes', icon: <AuditOutlined />, roles: ['admin'] },
];

const testIdOf = (key: MessageKey) => `nav-${key.slice('nav.'.length)}`;

function Shell() {
  const user = useUser();
  const { t, lang, setLang } = useI18n();
  const { signOut, institutionName } = useSession();
  const { pathname, search } = useLocation();
  const items = NAV.filter((n) => n.roles.includes(user.role));
  const current = pathname + (search.get('direction') === 'down' ? '?direction=down' : '');
  const selected = items.find((n) => n.path === current)?.path ?? items.filter((n) => n.path !== '/' && pathname.startsWith(n.path.split('?')[0]))[0]?.path ?? '/';

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={0} theme="light" width={208} style={{ borderRight: '1px solid #f0f0f0' }}>
        <div style={{ padding: '16px 20px' }}>
          <Typography.Title level={5} style={{ margin: 0 }}>
            {t('app.title')}
          </Typography.Title>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('app.subtitle')}
          </Typography.Text>
        </div>
        <Menu
          mode="inline"
          selectedKeys={[selected]}
          style={{ borderInlineEnd: 0 }}
          items={items.map((n) => ({
            key: n.path,
            icon: n.icon,
            label: (
              <Link to={n.path} data-testid={testIdOf(n.key)}>
                {t(n.key)}
              </Link>
            ),
          }))}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: '0 24px', display: 'flex', justifyContent: 'flex-end', alignItems: 'center', borderBottom: '1px solid #f0f0f0' }}>
          <Space size="middle">
            <InboxBell />
            <span data-testid="current-user">
              {user.displayName} <Tag>{t(`role.${user.role}`)}</Tag>
              {user.institutionId && <Typography.Text type="secondary">{institutionName(user.institutionId)}</Typography.Text>}
            </span>
            <Button size="small" data-testid="lang-switch" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
              {t('lang.switch')}
            </Button>
            <Button size="small" icon={<LogoutOutlined />} data-testid="sign-out" onClick={signOut}>
              {t('login.signOut')}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <Suspense fallback={<Spin style={{ display: 'block', marginTop: 80 }} />}>
            <Routes />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

function Routes() {
  const user = useUser();
  const { t } = useI18n();
  const { pathname } = useLocation();
  const admin = user.role === 'admin';
  if (pathname === '/') {
    if (admin) {
      queueMicrotask(() => navigate('/admin/catalogue', { replace: true }));
      return null;
    }
    return <WorklistPage />;
  }
  if (pathname === '/referrals/new') return <NewReferralPage />;
  const referral = matchPath('/referrals/:id', pathname);
  if (referral) return <ReferralPage key={referral.id} id={referral.id} />;
  if (pathname === '/inbox') return <InboxPage />;
  if (pathname === '/stats') return <StatsPage />;
  if (admin && pathname === '/admin/catalogue') return <CataloguePage />;
  if (admin && pathname === '/admin/institutions') return <InstitutionsPage />;
  if (admin && pathname === '/admin/users') return <UsersPage />;
  if (admin && pathname === '/admin/settings') return <SettingsPage />;
  if (admin && pathname === '/admin/reason-codes') return <ReasonCodesPage />;
  return <Result status="404" title="404" subTitle={t('error.NOT_FOUND')} extra={<Link to="/">{t('nav.worklist')}</Link>} />;
}

/**
 * Unread notifications, polled every 10 s (and when the tab becomes visible). If the inbox endpoint is missing
 * (404 on an older server) the bell stays without a count and polling stops.
 */
function InboxBell() {
  const [count, setCount] = useState<number | null>(null);
  const [more, setMore] = useState(false);
  const [available, setAvailable] = useState(true);
  const { pathname } = useLocation();
  const poll = () => {
    api.get<Page<Notification>>('/inbox', { unread: true, limit: 100 }).then(
      (page) => {
        setCount(page.items.length);
        setMore(page.nextCursor !== null);
      },
      (e) => {
        if (e instanceof ApiError && e.status === 404) setAvailable(false);
      },
    );
  };
  useEffect(poll, [pathname]);
  usePolling(poll, 10_000, available);
  useEffect(() => {
    const onRead = () => poll();
    window.addEventListener('inbox-changed', onRead);
    return () => window.removeEventListener('inbox-changed', onRead);
  }, []);
  return (
    <Link to="/inbox" data-testid="inbox-bell" aria-label="inbox">
      <Badge count={available ? (more ? '100+' : count ?? 0) : 0} size="small" data-testid="inbox-unread" data-count={available ? count ?? '' : 'unavailable'}>
        <BellOutlined style={{ fontSize: 18 }} />
      </Badge>
    </Link>
  );
}
