/** Errors the relay and token endpoint answer themselves, in the gateway's nested error envelope. */
const codes = new WeakMap<Response, string>();

/** Answers in the gateway's nested error envelope, so the widget parses relay and gateway errors alike. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return envelope(status, { code, message }, headers);
}

/** A 400 naming the field at fault in `param`, as the gateway's own validation errors do. */
export function validationErrorResponse(param: string, message: string): Response {
  return envelope(400, { code: 'validation_error', message, param }, {});
}

/** The code of an error this package answered itself (for log lines), or undefined. */
export function ownErrorCode(response: Response): string | undefined {
  return codes.get(response);
}

function envelope(status: number, error: { code: string; message: string; param?: string }, headers: Record<string, string>): Response {
  const response = new Response(JSON.stringify({ error }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers },
  });
  codes.set(response, error.code);
  return response;
}

/** Reads an answer once into a maker of equal answers, for one answer several callers share; the own error code stays. */
export async function replayable(response: Response): Promise<() => Response> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const { status, statusText } = response;
  const headers = [...response.headers];
  const code = codes.get(response);
  return () => {
    const copy = new Response(status === 204 || status === 304 ? null : bytes, { status, statusText, headers });
    if (code !== undefined) codes.set(copy, code);
    return copy;
  };
}
