// The body of POST /v1.0-alpha1/jobs/{name}, read as daprd reads it: protojson into its
// JobHTTPRequest message (dapr/proto/internals/v1/jobs.proto), so the same bodies pass and
// fail. Fields by their JSON name or their proto name (dueTime or due_time); unknown fields
// ignored; null leaves an optional field unset, except `data` (a google.protobuf.Value,
// where null is the JSON null). An empty body is an empty message.
import { HttpError } from './http.mjs';
import { parseProtoDuration } from './jobs_time.mjs';

const malformed = (why) => new HttpError(400, 'ERR_MALFORMED_REQUEST', `failed deserializing HTTP body: ${why}`);
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// Reads field `json` (or its proto name `proto`); undefined when absent or null.
function field(obj, json, proto = json) {
  if (json !== proto && obj[json] !== undefined && obj[proto] !== undefined) throw malformed(`duplicate field ${JSON.stringify(json)}`);
  const v = obj[json] !== undefined ? obj[json] : obj[proto];
  return v === null ? undefined : v;
}

function string(obj, json, proto) {
  const v = field(obj, json, proto);
  if (v !== undefined && typeof v !== 'string') throw malformed(`invalid value for string field ${json}: ${JSON.stringify(v)}`);
  return v;
}

function uint32(obj, json, proto) {
  let v = field(obj, json, proto);
  if (typeof v === 'string' && /^\d+$/.test(v)) v = Number(v);  // protojson takes quoted integers too
  if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
    throw malformed(`invalid value for uint32 field ${json}: ${JSON.stringify(v)}`);
  }
  return v;
}

// -> {name, schedule, repeats, dueTime, ttl, hasData, data, overwrite, failurePolicy}; throws
// HttpError 400 (ERR_MALFORMED_REQUEST, or DAPR_SCHEDULER_JOB_NAME for a name in the body).
export function jobFromBody(body) {
  let req = {};
  if (body.length) {
    try { req = JSON.parse(body.toString('utf8')); } catch (err) { throw malformed(err.message); }
    if (!isObject(req)) throw malformed('the body must be a JSON object (a Job)');
  }
  const name = string(req, 'name');
  if (name) throw new HttpError(400, 'DAPR_SCHEDULER_JOB_NAME', 'Set the job name in the url only');
  const overwrite = field(req, 'overwrite');
  if (overwrite !== undefined && typeof overwrite !== 'boolean') throw malformed(`invalid value for bool field overwrite: ${JSON.stringify(overwrite)}`);
  const hasData = req.data !== undefined;
  return {
    schedule: string(req, 'schedule'),
    repeats: uint32(req, 'repeats'),
    dueTime: string(req, 'dueTime', 'due_time'),
    ttl: string(req, 'ttl'),
    hasData,
    data: hasData ? req.data : undefined,
    overwrite: overwrite === true,
    failurePolicy: failurePolicy(field(req, 'failurePolicy', 'failure_policy')),
  };
}

// common.v1.JobFailurePolicy: a oneof of {drop: {}} and {constant: {interval, maxRetries}}.
// -> undefined (the default) | {drop: true} | {constant: {interval?, maxRetries?}}
function failurePolicy(p) {
  if (p === undefined) return undefined;
  if (!isObject(p)) throw malformed('failurePolicy must be an object');
  const drop = p.drop ?? undefined;
  const constant = p.constant ?? undefined;
  if (drop !== undefined && constant !== undefined) throw malformed('failurePolicy: only one of drop and constant');
  if (drop !== undefined) {
    if (!isObject(drop)) throw malformed('failurePolicy.drop must be an object');
    return { drop: true };
  }
  if (constant === undefined) return undefined;
  if (!isObject(constant)) throw malformed('failurePolicy.constant must be an object');
  const interval = string(constant, 'interval');
  if (interval !== undefined) {
    const ms = parseProtoDuration(interval);
    if (ms === null || ms < 0) throw malformed(`failurePolicy.constant.interval is not a google.protobuf.Duration ("1.5s"): ${JSON.stringify(interval)}`);
  }
  return { constant: { interval, maxRetries: uint32(constant, 'maxRetries', 'max_retries') } };
}
