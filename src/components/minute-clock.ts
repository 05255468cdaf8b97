import type { ReactiveControllerHost } from 'lit';

/** Hosts that show a relative time ("5 minutes ago"), all refreshed by one timer while there are any. */
const hosts = new Set<ReactiveControllerHost>();
let timer: ReturnType<typeof setInterval> | undefined;

/** Re-renders `host` about once a minute while `on`; the timer runs only while some host is on it. */
export function followMinutes(host: ReactiveControllerHost, on: boolean): void {
  if (on) hosts.add(host);
  else hosts.delete(host);
  if (hosts.size && !timer) {
    timer = setInterval(() => {
      for (const h of hosts) h.requestUpdate();
    }, 60_000);
  } else if (!hosts.size && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}
