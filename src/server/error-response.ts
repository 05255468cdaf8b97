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
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
  codes.set(response, error.code);
  return response;
}
