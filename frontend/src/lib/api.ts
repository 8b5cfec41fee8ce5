// The HTTP client of the UI: same-origin fetches with the HttpOnly session cookie (no
// token is ever stored in the page), problem+json errors turned into ApiError.
//
// NEXT_PUBLIC_API_BASE (build time, default '' = same origin) lets the UI run in its own
// container in front of an API elsewhere. The recommended setup keeps one origin (a proxy
// sends /api to the API), so the SameSite cookie and the server's Origin check just work.

export const API_BASE = (process.env.NEXT_PUBLIC_API_BASE ?? '').replace(/\/+$/, '');

export interface FieldProblem {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: FieldProblem[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }

  // The message of one field ("title", "tags[2]", ...), if the server named it.
  fieldMessage(field: string): string | undefined {
    return this.problem.errors?.find((e) => e.field === field)?.message;
  }
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  keepalive?: boolean;
}

export interface ApiResponse<T> {
  data: T;
  etag: string | null;
}

async function request<T>(method: string, path: string, options: RequestOptions): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(API_BASE + path, {
      method,
      headers,
      body,
      signal: options.signal,
      keepalive: options.keepalive,
      cache: 'no-store',
      // A separate API origin needs the cookie sent cross-origin (and CORS on the API).
      credentials: API_BASE ? 'include' : 'same-origin',
    });
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw err;
    throw new ApiError({ status: 0, title: 'Network error', detail: 'The server could not be reached.' });
  }
  const text = res.status === 204 ? '' : await res.text();
  let json: unknown;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!res.ok) {
    const p = (json && typeof json === 'object' ? json : {}) as Partial<Problem>;
    throw new ApiError({ ...p, status: res.status });
  }
  return { data: json as T, etag: res.headers.get('ETag') };
}

export const api = {
  get: <T>(path: string, o: RequestOptions = {}) => request<T>('GET', path, o).then((r) => r.data),
  post: <T>(path: string, body?: unknown, o: RequestOptions = {}) =>
    request<T>('POST', path, { ...o, body }).then((r) => r.data),
  patch: <T>(path: string, body?: unknown, o: RequestOptions = {}) =>
    request<T>('PATCH', path, { ...o, body }).then((r) => r.data),
  put: <T>(path: string, body?: unknown, o: RequestOptions = {}) => request<T>('PUT', path, { ...o, body }).then((r) => r.data),
  delete: (path: string, o: RequestOptions = {}) => request<void>('DELETE', path, o).then(() => undefined),
};
