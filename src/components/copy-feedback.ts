import type { ReactiveController, ReactiveControllerHost } from 'lit';

export type CopyState = 'idle' | 'copied' | 'failed';

/** Copies text to the clipboard, then says how that went ("Copied", "Copy failed") for two seconds. */
export class CopyFeedback implements ReactiveController {
  state: CopyState = 'idle';
  #timer: ReturnType<typeof setTimeout> | undefined;
  #connected = false;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  async copy(text: string): Promise<void> {
    let state: CopyState = 'copied';
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      state = 'failed';
    }
    // the element left the page while the clipboard answered: nothing to say, no timer to leave behind
    if (!this.#connected) return;
    this.#show(state);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#show('idle'), 2000);
  }

  #show(state: CopyState): void {
    this.state = state;
    this.host.requestUpdate();
  }

  hostConnected(): void {
    this.#connected = true;
  }

  hostDisconnected(): void {
    this.#connected = false;
    clearTimeout(this.#timer);
    this.state = 'idle';
  }
}
