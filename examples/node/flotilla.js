// What both examples need to call Flotilla from Node.js with nothing but the .proto files: the
// services loaded at start-up (no generated code), the error details decoded from the status
// trailer, a deadline on every call, and one retry loop that follows the broker's redirects.
'use strict';

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
// protobufjs comes with proto-loader; resolving it from there keeps package.json to the two
// gRPC packages. It decodes the error details, which grpc-js hands over as raw bytes.
const protobuf = require(require.resolve('protobufjs', { paths: [require.resolve('@grpc/proto-loader')] }));

const PROTO_DIR = path.join(__dirname, '../../api-proto/src/main/proto');
const CALL_TIMEOUT_MS = 5000; // every call carries a deadline (common.proto, "Conventions")
const MAX_ATTEMPTS = 12;
// Worth retrying unchanged: UNAVAILABLE is transient by contract (an election, a node
// starting), and after a missed deadline the same request is safe to resend: produce is
// idempotent, and the group calls the examples make may be repeated.
const TRANSIENT = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]);
// The refusals that name the node to ask instead (errors.proto), and what the log calls that node.
const REDIRECTS = { ERROR_REASON_NOT_LEADER: 'leader', ERROR_REASON_NOT_COORDINATOR: 'coordinator' };

// snake_case field names as in the .proto files; int64 as Number, since a demo's offsets and
// producer ids stay far below 2^53.
const api = grpc.loadPackageDefinition(protoLoader.loadSync(
  ['flotilla/v1/broker.proto', 'flotilla/v1/admin.proto', 'flotilla/v1/consumer_groups.proto'],
  { includeDirs: [PROTO_DIR], keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true })).flotilla.v1;

// Error details travel in the `grpc-status-details-bin` trailer as a google.rpc.Status whose
// Anys pack flotilla.v1.ErrorDetail (errors.proto). Status and Any are declared here by their
// three and two fields rather than loaded from googleapis.
const errorsRoot = new protobuf.Root();
errorsRoot.resolvePath = (origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_DIR, target));
errorsRoot.loadSync('flotilla/v1/errors.proto', { keepCase: true });
const ErrorDetail = errorsRoot.lookupType('flotilla.v1.ErrorDetail');
const RpcStatus = protobuf.parse(`syntax = "proto3"; package rpc;
  message Any { string type_url = 1; bytes value = 2; }
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }`, { keepCase: true }).root.lookupType('rpc.Status');

function errorDetail(err) {
  const bin = err.metadata && err.metadata.get('grpc-status-details-bin')[0];
  if (!bin) return null; // not from the broker: no connection, our own deadline, ...
  const any = RpcStatus.decode(bin).details.find((d) => d.type_url === 'type.googleapis.com/flotilla.v1.ErrorDetail');
  return any ? ErrorDetail.toObject(ErrorDetail.decode(any.value), { enums: String, longs: Number }) : null;
}

const describe = (err) => `${grpc.status[err.code] || err.code}: ${err.details || err.message}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A connection to a cluster through one bootstrap address: the node asked first, and again
// when the node a route names cannot be reached.
function connect(bootstrap) {
  const stats = { redirects: 0, retries: 0 };
  // One client per address and service; grpc-js shares the connection between them.
  const clients = new Map();
  function client(service, address) {
    const key = `${service}@${address}`;
    if (!clients.has(key)) clients.set(key, new api[service](address, grpc.credentials.createInsecure()));
    return clients.get(key);
  }

  function unary(service, address, method, request, timeoutMs = CALL_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      client(service, address)[method](request, { deadline: Date.now() + timeoutMs }, (err, response) => {
        if (err) reject(Object.assign(err, { detail: errorDetail(err) }));
        else resolve(response);
      });
    });
  }

  // Sends a call to `route.address`, moving to the node a NOT_LEADER or NOT_COORDINATOR answer
  // names (and remembering it for the next call), and resending the same request after a pause
  // on a transient failure, a bounded number of times. A node that cannot be reached at all (it
  // answers nothing, so names no leader) may have died: ask the bootstrap node again, which
  // redirects to the new leader once one is elected. Other refusals are thrown with their detail.
  async function retrying(what, route, send) {
    let lastError;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        return await send(route.address);
      } catch (err) {
        lastError = err;
        const role = err.detail && REDIRECTS[err.detail.reason];
        const leader = role ? err.detail.leader : null;
        if (leader && leader.address) {
          console.log(`${what}: ${route.address} is not the ${role}; redirected to node ${leader.node_id} at ${leader.address}`);
          route.address = leader.address;
          stats.redirects++;
        } else if (TRANSIENT.has(err.code)) {
          stats.retries++;
          if (!err.detail) route.address = bootstrap;
          await sleep((err.detail && err.detail.retry_after_ms) || 100 * attempt);
        } else {
          throw Object.assign(new Error(`${what}: ${describe(err)}`), { code: err.code, detail: err.detail });
        }
      }
    }
    throw new Error(`${what}: gave up after ${MAX_ATTEMPTS} attempts, last ${describe(lastError)}`);
  }

  const close = () => clients.forEach((c) => c.close());
  return { bootstrap, stats, unary, retrying, close };
}

module.exports = { grpc, connect, sleep, CALL_TIMEOUT_MS };
