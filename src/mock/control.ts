/** The control plane tests use over HTTP: `GET /__mock/health`, `GET /__mock/requests`, `POST /__mock/reset`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Journal } from './journal.js';

export interface ControlPlane {
  readonly journal: Journal | undefined;
  reset(): void;
}

export function handleControl(
  plane: ControlPlane,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): void {
  const route = `${request.method} ${path}`;
  const [status, value] = answerControl(plane, route);
  const body = JSON.stringify(value);
  response
    .writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    })
    .end(body);
}

function answerControl(plane: ControlPlane, route: string): [status: number, body: unknown] {
  switch (route) {
    case 'GET /__mock/health':
      return [200, { status: 'ok' }];
    case 'GET /__mock/requests':
      return [200, plane.journal?.list() ?? []];
    case 'POST /__mock/reset':
      plane.reset();
      return [200, { status: 'ok' }];
    default: {
      const message = `Unknown mock control route (${route}); use GET /__mock/health, GET /__mock/requests or POST /__mock/reset`;
      return [404, { error: { message, type: 'invalid_request_error', param: null, code: null } }];
    }
  }
}
