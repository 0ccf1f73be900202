/**
 * Preload for the privacy test (node --import): records every network destination this process, or a worker
 * thread of it, tries to reach, as JSON lines appended to FACET_NET_LOG, and refuses the ones off this machine,
 * so that nothing leaves even while the test fails. Watched: TCP and Unix sockets (which http, https, tls and
 * fetch all open through), UDP, DNS lookups and resolutions, http(s).request and fetch themselves.
 * Plain JavaScript: it runs before tsx is registered.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { isMainThread, threadId } from 'node:worker_threads';

const LOG = process.env.FACET_NET_LOG;
const LOCAL_NAMES = new Set(['localhost', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']);

function isLocal(host) {
  if (host === undefined || host === null || host === '') return true; // Node's default host is localhost
  const name = String(host).replace(/^\[|\]$/g, '').toLowerCase();
  return LOCAL_NAMES.has(name) || /^127\./.test(name);
}

/** Appends one attempt to the log; returns whether it may go ahead. */
function record(kind, destination, host) {
  const local = isLocal(host);
  const entry = { kind, destination: String(destination), local, pid: process.pid, thread: threadId };
  if (LOG) appendFileSync(LOG, `${JSON.stringify(entry)}\n`);
  return local;
}

function blocked(destination) {
  return Object.assign(new Error(`network watch: refused ${destination} (not this machine)`), { code: 'ECONNREFUSED' });
}

record('watching', isMainThread ? 'main thread' : 'worker thread', 'localhost');

// connect(options[, cb]) | connect(path[, cb]) | connect(port[, host][, cb]) | connect(normalizedArgs) from net.connect
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function watchedConnect(...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : typeof first === 'string' ? { path: first } : { port: first, host: args[1] };
  if (options.path !== undefined) {
    record('unix-socket', options.path, 'localhost');
  } else if (!record('tcp', `${options.host ?? 'localhost'}:${options.port}`, options.host)) {
    process.nextTick(() => this.destroy(blocked(`${options.host}:${options.port}`)));
    return this;
  }
  return connect.apply(this, args);
};

for (const method of ['send', 'connect']) {
  const original = dgram.Socket.prototype[method];
  dgram.Socket.prototype[method] = function watchedUdp(...args) {
    const host = method === 'connect' ? (typeof args[1] === 'string' ? args[1] : undefined) : args.find((arg, i) => i > 0 && typeof arg === 'string');
    if (!record(`udp-${method}`, `${host}`, host)) throw blocked(`udp ${host}`);
    return original.apply(this, args);
  };
}

for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveTxt', 'resolveSrv', 'reverse']) {
  const callbackStyle = dns[name];
  if (typeof callbackStyle === 'function') {
    dns[name] = function watchedDns(host, ...rest) {
      if (!record(`dns-${name}`, host, host)) {
        const callback = rest.find((arg) => typeof arg === 'function');
        process.nextTick(() => callback?.(Object.assign(blocked(`dns ${host}`), { code: 'ENOTFOUND' })));
        return undefined;
      }
      return callbackStyle.call(this, host, ...rest);
    };
  }
  const promiseStyle = dns.promises[name];
  if (typeof promiseStyle === 'function') {
    dns.promises[name] = function watchedDnsPromise(host, ...rest) {
      if (!record(`dns-${name}`, host, host)) return Promise.reject(Object.assign(blocked(`dns ${host}`), { code: 'ENOTFOUND' }));
      return promiseStyle.call(this, host, ...rest);
    };
  }
}

for (const [scheme, module] of [['http', http], ['https', https]]) {
  for (const method of ['request', 'get']) {
    const original = module[method];
    module[method] = function watchedRequest(...args) {
      const first = args[0];
      const url = first instanceof URL ? first : typeof first === 'string' ? new URL(first) : undefined;
      const host = url?.hostname ?? first?.hostname ?? first?.host;
      record(`${scheme}-${method}`, url?.href ?? `${host}`, host); // the socket below refuses it if need be
      return original.apply(this, args);
    };
  }
}

if (typeof globalThis.fetch === 'function') {
  const original = globalThis.fetch;
  globalThis.fetch = function watchedFetch(input, init) {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (!record('fetch', url.href, url.hostname)) return Promise.reject(blocked(url.href));
    return original.call(this, input, init);
  };
}
