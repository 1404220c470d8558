#!/usr/bin/env node
// A consumer group in Node.js, to show that a group member stays thin when the server assigns
// the partitions (consumer_groups.proto, "The member protocol"): it calls Heartbeat (join, stay,
// learn its partitions and where to resume them, give revoked ones back, leave), Fetch and
// CommitOffsets, and nothing else: no FindCoordinator (NOT_COORDINATOR redirects find the
// coordinator), no FetchOffsets, no metadata, no assignor. It starts `--members` members in one process, each
// consuming until nothing new has arrived for a while, then committing and leaving; it counts
// each value read, and with `--expect N` fails unless exactly N distinct values were read.
//
//   node group-consume.js --bootstrap 127.0.0.1:9701 --topic demo --group demo-group [--members 2] [--expect N]
'use strict';

const { randomUUID } = require('node:crypto');
const { parseArgs } = require('node:util');
const { connect, sleep, CALL_TIMEOUT_MS } = require('./flotilla');

const SESSION_TIMEOUT_MS = 5000; // the coordinator answers with a heartbeat interval of a fifth of this
const FETCH_WAIT_MS = 200; // short long polls, so heartbeats are never late by much
const IDLE_MS = 4000; // a member is done once nothing new arrived for this long
const FENCED = new Set(['ERROR_REASON_UNKNOWN_MEMBER', 'ERROR_REASON_STALE_MEMBER_EPOCH']);

const sorted = (partitions) => [...partitions].sort((a, b) => a - b);
let cluster; // connect(): unary calls with deadlines, and `retrying`, which follows redirects
const calls = { Heartbeat: 0, Fetch: 0, CommitOffsets: 0 };

async function member(name, group, topic, seen) {
  const me = { group_id: group, member_id: randomUUID(), member_epoch: 0 };
  const coordinator = { address: cluster.bootstrap };
  const positions = new Map(); // the partitions this member owns -> the next offset to read
  const leaders = new Map(); // partition -> the address of its leader, as redirects taught
  const consumed = new Set();
  let nextHeartbeat = 0;
  let lastNews = Date.now();
  let read = 0;

  const call = (method, request) => cluster.retrying(`${name} ${method}`, coordinator, (address) => {
    calls[method]++;
    return cluster.unary('ConsumerGroups', address, method, request);
  });
  const commit = (partitions) => partitions.length && call('CommitOffsets', {
    ...me, offsets: partitions.map((p) => ({ topic, partition: p, offset: positions.get(p) })) });

  async function heartbeat(leave = false) {
    const res = await call('Heartbeat', { ...me, leave, subscribed_topics: [topic], session_timeout_ms: SESSION_TIMEOUT_MS,
      owned_partitions: positions.size ? [{ topic, partitions: [...positions.keys()] }] : [], client_id: 'group-consume.js' });
    me.member_epoch = res.member_epoch;
    nextHeartbeat = Date.now() + res.heartbeat_interval_ms;
    const assigned = new Set(res.assignment.filter((a) => a.topic === topic).flatMap((a) => a.partitions));
    const revoked = [...positions.keys()].filter((p) => !assigned.has(p));
    const added = [...assigned].filter((p) => !positions.has(p));
    if (leave || (!revoked.length && !added.length)) return;
    console.log(`${name}: epoch ${me.member_epoch}, partitions ${sorted(assigned).join(',') || 'none'}`);
    lastNews = Date.now();
    // A revoked partition is still ours until a heartbeat no longer lists it: commit, then say so at once.
    await commit(revoked);
    revoked.forEach((p) => positions.delete(p));
    if (revoked.length) nextHeartbeat = 0;
    // A new partition resumes where the group committed (the answer's start_offsets); -1, none
    // committed: this group's reset policy is "from the beginning".
    const starts = new Map(res.start_offsets.filter((o) => o.topic === topic).map((o) => [o.partition, o.offset]));
    added.forEach((p) => positions.set(p, Math.max(starts.get(p) ?? 0, 0)));
  }

  async function poll() {
    const advanced = [];
    for (const [partition, offset] of positions) {
      const route = { address: leaders.get(partition) || cluster.bootstrap };
      const res = await cluster.retrying(`${name} Fetch ${topic}/${partition}`, route, (address) => {
        calls.Fetch++;
        return cluster.unary('Broker', address, 'Fetch', { topic, partition, offset, max_wait_ms: FETCH_WAIT_MS },
          FETCH_WAIT_MS + CALL_TIMEOUT_MS);
      });
      leaders.set(partition, route.address);
      for (const record of res.records) { // the processing: count each value
        const value = record.value ? record.value.toString() : '';
        seen.set(value, (seen.get(value) || 0) + 1);
      }
      read += res.records.length;
      consumed.add(partition);
      if (res.next_offset !== offset) advanced.push(partition);
      positions.set(partition, res.next_offset); // not last offset + 1: control entries leave gaps
    }
    await commit(advanced); // after processing: at least once
    if (advanced.length) lastNews = Date.now();
    if (!positions.size) await sleep(Math.max(0, Math.min(nextHeartbeat - Date.now(), 100)));
  }

  while (Date.now() - lastNews < IDLE_MS) {
    try {
      if (Date.now() >= nextHeartbeat) await heartbeat();
      await poll();
    } catch (err) {
      // Evicted or fenced: drop the partitions without committing, and join again (same member id).
      if (!err.detail || !FENCED.has(err.detail.reason)) throw err;
      console.log(`${name}: ${err.message}; joining again`);
      positions.clear();
      me.member_epoch = 0;
      nextHeartbeat = 0;
    }
  }
  await heartbeat(true); // everything read was committed after processing
  return { name, read, consumed };
}

function parseCommandLine() {
  const usage = 'usage: node group-consume.js --bootstrap HOST:PORT --topic NAME --group ID [--members N (default 2)] [--expect N]';
  let args;
  try {
    args = parseArgs({ options: { bootstrap: { type: 'string' }, topic: { type: 'string' }, group: { type: 'string' },
      members: { type: 'string', default: '2' }, expect: { type: 'string' } } }).values;
  } catch (err) {
    throw new Error(`${err.message}\n${usage}`);
  }
  const members = Number(args.members);
  const expect = args.expect === undefined ? undefined : Number(args.expect);
  if (!/^[^,\s]+:\d+$/.test(args.bootstrap || '') || !args.topic || !args.group || !Number.isInteger(members)
    || members < 1 || (expect !== undefined && !(Number.isInteger(expect) && expect >= 0))) throw new Error(usage);
  return { bootstrapAddress: args.bootstrap, topic: args.topic, group: args.group, members, expect };
}

async function main() {
  const { bootstrapAddress, topic, group, members, expect } = parseCommandLine();
  cluster = connect(bootstrapAddress);
  const seen = new Map();
  const results = await Promise.all(Array.from({ length: members }, (_, i) => member(`member ${i + 1}`, group, topic, seen)));
  const read = results.reduce((sum, r) => sum + r.read, 0);
  const shares = results.map((r) => `${r.name}: ${r.read} from partitions ${sorted(r.consumed).join(',') || 'none'}`).join('; ');
  const summary = `group ${group}: ${members} members read ${read} records, ${seen.size} distinct values (${shares}); `
    + `${Object.entries(calls).map(([method, n]) => `${n} ${method}`).join(', ')} calls, `
    + `${cluster.stats.redirects} redirects, ${cluster.stats.retries} retries`;
  if (expect !== undefined && seen.size !== expect) throw new Error(`expected ${expect} distinct values: ${summary}`);
  const partitions = new Set(results.flatMap((r) => [...r.consumed]));
  const idle = results.filter((r) => !r.consumed.size);
  if (idle.length && partitions.size >= members) throw new Error(`${idle[0].name} was never given a partition: ${summary}`);
  console.log(summary);
}

main()
  .catch((err) => {
    console.error(`group-consume: error: ${err.message}`);
    process.exitCode = 1;
  })
  .finally(() => cluster && cluster.close());
