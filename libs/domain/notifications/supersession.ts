/** The referral state an event announced: its outbox row's status and version. */
export interface AnnouncedState {
  status: string;
  version: number;
}

/** The referral as it is now; `lastChangeVersion` is the version its latest status change produced. */
export interface CurrentState {
  status: string;
  version: number;
  lastChangeVersion: number;
}

/**
 * A pending notification is superseded once the referral has left the state it announced: its status differs, or
 * a later status change happened (a resubmit after a return re-enters `submitted` and announces itself). Edits
 * that change no status (PATCH of a returned referral) leave it current.
 */
export function isSuperseded(announced: AnnouncedState, current: CurrentState): boolean {
  return current.status !== announced.status || current.lastChangeVersion > announced.version;
}
