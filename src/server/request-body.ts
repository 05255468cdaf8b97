/**
 * Reads a request body up to a byte limit and within a deadline, counting bytes as they arrive
 * (Content-Length can lie or be absent). A client that trickles its body holds the relay's memory and
 * a per-user slot for as long as it is let; the deadline ends that.
 */
export type BodyRead = { ok: true; bytes: Uint8Array<ArrayBuffer> } | { ok: false; reason: 'too-large' | 'too-slow' };

export async function readBodyWithin(request: Request, maxBytes: number, deadlineMs: number): Promise<BodyRead> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await request.body?.cancel().catch(() => {});
    return { ok: false, reason: 'too-large' };
  }
  if (!request.body) return { ok: true, bytes: new Uint8Array(0) };

  const reader = request.body.getReader();
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    reader.cancel().catch(() => {});
  }, deadlineMs);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (late) return { ok: false, reason: 'too-slow' };
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        return { ok: false, reason: 'too-large' };
      }
      chunks.push(value);
    }
  } catch (error) {
    // a cancelled read may reject rather than end
    if (late) return { ok: false, reason: 'too-slow' };
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { ok: true, bytes: joinChunks(chunks) };
}

/** The chunks of a body read whole, as one array. */
export function joinChunks(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
