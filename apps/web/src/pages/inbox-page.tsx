import { Button, Card, List, Result, Space, Switch, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, ApiError } from '../api/client.js';
import type { Notification, Page } from '../api/types.js';
import { ErrorAlert } from '../components/error-alert.js';
import { useI18n } from '../i18n/i18n.js';
import { useApi, usePolling } from '../lib/use-api.js';
import { navigate } from '../router.js';

/** Tells the header's bell to count again. */
const inboxChanged = () => window.dispatchEvent(new Event('inbox-changed'));

export function InboxPage() {
  const { t, tryT, dateTime } = useI18n();
  const [unreadOnly, setUnreadOnly] = useState(true);
  const [more, setMore] = useState<Page<Notification> | null>(null);
  const inbox = useApi(
    (signal) => {
      setMore(null);
      return api.get<Page<Notification>>('/inbox', { unread: unreadOnly ? true : undefined, limit: 20 }, signal);
    },
    [unreadOnly],
  );
  usePolling(() => !more && inbox.reload(true), 10_000);

  if (inbox.error instanceof ApiError && inbox.error.status === 404) return <Result status="info" title={t('inbox.unavailable')} data-testid="inbox-unavailable" />;

  const items = [...(inbox.data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : inbox.data?.nextCursor ?? null;
  const markRead = async (n: Notification) => {
    if (!n.readAt) {
      await api.post(`/inbox/${n.id}/read`);
      inboxChanged();
    }
  };
  const open = async (n: Notification) => {
    await markRead(n).catch(() => undefined);
    navigate(`/referrals/${n.referralId}`);
  };

  return (
    <Card
      title={t('inbox.title')}
      extra={
        <Space>
          {t('inbox.unreadOnly')}
          <Switch checked={unreadOnly} onChange={setUnreadOnly} data-testid="inbox-unread-only" />
        </Space>
      }
    >
      <ErrorAlert error={inbox.error} />
      <List
        data-testid="inbox-list"
        loading={inbox.loading}
        dataSource={items}
        locale={{ emptyText: t('inbox.empty') }}
        renderItem={(n) => (
          <List.Item
            data-testid="inbox-item"
            data-event={n.event}
            actions={[
              <Button type="link" key="open" onClick={() => open(n)} data-testid="inbox-open">
                {t('inbox.open')}
              </Button>,
              !n.readAt && (
                <Button
                  type="link"
                  key="read"
                  data-testid="inbox-mark-read"
                  onClick={async () => {
                    await markRead(n);
                    void inbox.reload(true);
                  }}
                >
                  {t('inbox.markRead')}
                </Button>
              ),
            ].filter(Boolean)}
          >
            <List.Item.Meta
              title={
                <Space>
                  {!n.readAt && <Tag color="red">●</Tag>}
                  <Typography.Text strong={!n.readAt}>{n.title}</Typography.Text>
                  <Tag>{tryT(`event.${n.event}`, n.event)}</Tag>
                </Space>
              }
              description={
                <>
                  <div>{n.body}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {dateTime(n.createdAt)}
                  </Typography.Text>
                </>
              }
            />
          </List.Item>
        )}
      />
      {nextCursor && (
        <div style={{ textAlign: 'center', marginTop: 16 }}>
          <Button
            onClick={async () => {
              const page = await api.get<Page<Notification>>('/inbox', { unread: unreadOnly ? true : undefined, limit: 20, cursor: nextCursor });
              setMore({ items: [...(more?.items ?? []), ...page.items], nextCursor: page.nextCursor });
            }}
          >
            {t('common.loadMore')}
          </Button>
        </div>
      )}
    </Card>
  );
}
