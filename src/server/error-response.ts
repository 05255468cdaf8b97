/** Errors the relay and token endpoint answer themselves, in the gateway's nested error envelope. */
const codes = new WeakMap<Response, string>();

/** Answers in the gateway's nested error envelope, so the widget parses relay and gateway errors alike. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const response = new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
  codes.set(response, code);
  return response;
}

/** The code of an error this package answered itself (for log lines), or undefined. */
export function ownErrorCode(response: Response): string | undefined {
  return codes.get(response);
}
