import { ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiError } from '../api/client.js';
import { MESSAGES, type MessageKey } from './messages.js';

export type Lang = 'zh' | 'en';
const LANG_KEY = 'referral.lang';

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t: Translate;
  /** A label that exists for some values only (e.g. `event.<name>`): falls back to the raw value. */
  tryT(key: string, fallback: string): string;
  dateTime(iso: string | null | undefined): string;
  date(iso: string | null | undefined): string;
  /** The message for an API error: the contract code mapped to this language. */
  errorMessage(error: unknown): string;
}

const I18nContext = createContext<I18n | null>(null);

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(LANG_KEY);
    if (stored === 'zh' || stored === 'en') return stored;
  } catch {
    /* ignore */
  }
  return 'zh';
}

export function format(template: string, vars?: Record<string, string | number>): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(LANG_KEY, next);
    } catch {
      /* ignore */
    }
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  }, []);

  const value = useMemo<I18n>(() => {
    const dict = MESSAGES[lang];
    dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en');
    const t: Translate = (key, vars) => format(dict[key] ?? key, vars);
    const tryT = (key: string, fallback: string) => (key in dict ? dict[key as MessageKey] : fallback);
    const dateTime = (iso: string | null | undefined) => (iso ? dayjs(iso).format('YYYY-MM-DD HH:mm') : '—');
    const date = (iso: string | null | undefined) => (iso ? dayjs(iso).format('YYYY-MM-DD') : '—');
    const errorMessage = (error: unknown) => {
      if (error instanceof ApiError) return tryT(`error.${error.code}`, error.message || t('error.UNKNOWN'));
      return error instanceof Error ? error.message : t('error.UNKNOWN');
    };
    return { lang, setLang, t, tryT, dateTime, date, errorMessage };
  }, [lang, setLang]);

  return (
    <I18nContext.Provider value={value}>
      <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} button={{ autoInsertSpace: false }}>
        {children}
      </ConfigProvider>
    </I18nContext.Provider>
  );
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
