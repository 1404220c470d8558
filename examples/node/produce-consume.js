#!/usr/bin/env node
// A thin Flotilla client in Node.js, to show that the gRPC API needs nothing but the .proto
// files: no Flotilla library, no generated code. It creates a topic (if missing), produces
// records idempotently to every partition's leader, then reads every partition back from
// offset 0 and checks that each value it wrote arrived exactly once.
//
//   node produce-consume.js --bootstrap 127.0.0.1:9701 --topic demo [--records 100]
'use strict';

const { parseArgs } = require('node:util');
const { grpc, connect, CALL_TIMEOUT_MS } = require('./flotilla');

const CREATE_TIMEOUT_MS = 15000; // CreateTopic waits up to 10 s for the partitions' leaders
const FETCH_WAIT_MS = 1000; // long poll: the leader answers when records arrive or after this
const CONSUME_TIMEOUT_MS = 30000;
const BATCH_RECORDS = 25; // records per Produce entry: one batch, one base_sequence
const PARTITIONS = 3;
const REPLICATION_FACTOR = 3;

let cluster; // connect(): unary calls with deadlines, and `retrying`, which follows NOT_LEADER redirects
const stats = { produceCalls: 0, fetchCalls: 0, duplicates: 0 };

async function createTopicIfMissing(topic) {
  const request = { name: topic, partition_count: PARTITIONS, replication_factor: REPLICATION_FACTOR };
  try {
    const res = await cluster.retrying('create topic', { address: cluster.bootstrap },
      (address) => cluster.unary('Admin', address, 'CreateTopic', request, CREATE_TIMEOUT_MS));
    console.log(`created topic ${topic}: ${PARTITIONS} partitions, replication factor ${REPLICATION_FACTOR}`);
    return res.metadata_version;
  } catch (err) {
    // A retried create whose first attempt went through also lands here: either way it exists.
    if (err.code !== grpc.status.ALREADY_EXISTS) throw err;
    console.log(`topic ${topic} exists already; using it`);
    return 0;
  }
}

// Produces `values[i]` to partition i % n in batches, each partition's batches in order and
// the partitions concurrently. A batch is resent unchanged (same base_sequence) until it is
// answered, so the broker can drop repeats; the sequence advances only after a success.
// Returns, per partition, the offset after the last record written (0 if none).
async function produce(topic, producer, values, routes) {
  return Promise.all(routes.map(async (route, partition) => {
    const mine = values.filter((_, i) => i % routes.length === partition);
    let first;
    let last;
    for (let sequence = 0; sequence < mine.length; sequence += BATCH_RECORDS) {
      const records = mine.slice(sequence, sequence + BATCH_RECORDS).map((v) => ({ value: Buffer.from(v) }));
      const request = { ...producer, partitions: [{ topic, partition, base_sequence: sequence, records: { records } }] };
      const result = await cluster.retrying(`produce ${topic}/${partition} seq ${sequence}`, route, async (address) => {
        stats.produceCalls++;
        const res = await cluster.unary('Broker', address, 'Produce', request);
        const r = res.results[0];
        // Once writing began, a partition's failure comes inside an OK answer, with its own code.
        if (r.error) throw Object.assign(new Error(r.error.message), { code: r.error.code, details: r.error.message, detail: r.error });
        return r;
      });
      if (result.duplicate) stats.duplicates++;
      if (first === undefined) first = result.base_offset;
      last = result.base_offset + records.length - 1;
    }
    if (!mine.length) return 0;
    console.log(`partition ${partition}: ${mine.length} records at offsets ${first}..${last} via ${route.address}`);
    return last + 1;
  }));
}

// Reads one partition from offset 0 up to `end`, past every record this run wrote to it
// (including any copy a retry might have written), counting each value in `seen`. Other
// writers' records are skipped, and do not keep it reading. It starts at the bootstrap node
// and finds the leader through NOT_LEADER redirects alone, as a client without metadata would.
async function consumePartition(topic, partition, end, prefix, seen) {
  const route = { address: cluster.bootstrap };
  const giveUpAt = Date.now() + CONSUME_TIMEOUT_MS;
  let offset = 0;
  while (offset < end) {
    const res = await cluster.retrying(`fetch ${topic}/${partition} at ${offset}`, route, (address) => {
      stats.fetchCalls++;
      return cluster.unary('Broker', address, 'Fetch', { topic, partition, offset, max_wait_ms: FETCH_WAIT_MS }, FETCH_WAIT_MS + CALL_TIMEOUT_MS);
    });
    for (const record of res.records) {
      const value = record.value ? record.value.toString() : '';
      if (value.startsWith(prefix)) seen.set(value, (seen.get(value) || 0) + 1);
    }
    offset = res.next_offset; // not last offset + 1: control entries leave gaps
    if (offset < end && Date.now() > giveUpAt) {
      throw new Error(`partition ${partition}: read only up to offset ${offset} of ${end} in ${CONSUME_TIMEOUT_MS / 1000} s (high watermark ${res.high_watermark})`);
    }
  }
}

function parseCommandLine() {
  const usage = 'usage: node produce-consume.js --bootstrap HOST:PORT --topic NAME [--records N (default 100)]';
  let args;
  try {
    args = parseArgs({ options: { bootstrap: { type: 'string' }, topic: { type: 'string' }, records: { type: 'string', default: '100' } } }).values;
  } catch (err) {
    throw new Error(`${err.message}\n${usage}`);
  }
  const total = Number(args.records);
  if (!/^[^,\s]+:\d+$/.test(args.bootstrap || '') || !args.topic || !Number.isInteger(total) || total < 1) throw new Error(usage);
  return { bootstrapAddress: args.bootstrap, topic: args.topic, total };
}

async function main() {
  const { bootstrapAddress, topic, total } = parseCommandLine();
  cluster = connect(bootstrapAddress);

  const version = await createTopicIfMissing(topic);
  // min_metadata_version: read our own write even if the bootstrap node lags the controller.
  const metadata = await cluster.retrying('get metadata', { address: cluster.bootstrap },
    (address) => cluster.unary('Broker', address, 'GetMetadata', { topics: [topic], min_metadata_version: version }));
  const addresses = new Map(metadata.nodes.map((n) => [n.node_id, n.address]));
  // Leader 0 means none known yet: start at the bootstrap node and let it redirect us.
  const routes = metadata.topics[0].partitions.map((p) => ({ address: addresses.get(p.leader_node_id) || cluster.bootstrap }));

  const init = await cluster.retrying('init producer', { address: cluster.bootstrap }, (address) => cluster.unary('Broker', address, 'InitProducer', {}));
  const producer = { producer_id: init.producer_id, producer_epoch: init.producer_epoch };
  console.log(`producer id ${producer.producer_id}, epoch ${producer.producer_epoch}`);

  // The producer id is new for every run, so it makes values unique even in a reused topic.
  const prefix = `producer-${producer.producer_id}-record-`;
  const values = Array.from({ length: total }, (_, i) => `${prefix}${i}`);
  const ends = await produce(topic, producer, values, routes);

  const seen = new Map();
  await Promise.all(ends.map((end, partition) => consumePartition(topic, partition, end, prefix, seen)));
  const missing = values.filter((v) => !seen.has(v));
  const repeated = values.filter((v) => seen.get(v) > 1);
  const consumed = [...seen.values()].reduce((a, b) => a + b, 0);
  const calls = `${stats.produceCalls} Produce and ${stats.fetchCalls} Fetch calls, ${cluster.stats.redirects} NOT_LEADER redirects, ${cluster.stats.retries} retries, ${stats.duplicates} duplicate batches`;
  if (missing.length || repeated.length) {
    throw new Error(`produced ${total} records, consumed ${consumed}: ${missing.length} missing (${missing.slice(0, 3).join(', ')}), ${repeated.length} seen more than once (${repeated.slice(0, 3).join(', ')}); ${calls}`);
  }
  console.log(`produced ${total} records to ${ends.filter((end) => end > 0).length} partitions, consumed ${consumed}, all values seen once (${calls})`);
}

main()
  .catch((err) => {
    console.error(`produce-consume: error: ${err.message}`);
    process.exitCode = 1;
  })
  .finally(() => cluster && cluster.close());
