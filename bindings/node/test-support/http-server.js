'use strict'
// A plain HTTP/1.1 server on 127.0.0.1 (port 0) for the JWKS and introspection tests and the
// jwks.json runner: one fixed response per path (every time; `Content-Length` and
// `Connection: close` added), 404 for any other path, a count of every request received, and
// the bodies of POSTs (GET routes answer POSTs too; HEAD and the rest get 404).

const http = require('node:http')

/**
 * Starts the server. `routes` maps a request path (`req.url`) to `{ status, headers, body }`
 * (`headers` as `[name, value]` pairs, `body` a string or a function returning one,
 * `delayMs` to answer later). Returns
 * `{ base, port, requests, paths, posts, set(path, response), remove(path), close() }`.
 */
async function startServer(routes = {}) {
  const table = new Map(Object.entries(routes))
  const state = { requests: 0, paths: [], posts: [] }
  const server = http.createServer(async (req, res) => {
    state.requests += 1
    state.paths.push(req.url)
    if (req.method === 'POST') {
      const chunks = []
      for await (const chunk of req) chunks.push(chunk)
      state.posts.push({ path: req.url, body: Buffer.concat(chunks).toString('utf8'), authorization: req.headers.authorization })
    }
    const route = req.method === 'GET' || req.method === 'POST' ? table.get(req.url) : undefined
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found')
      return
    }
    const answer = () => {
      const body = Buffer.from(typeof route.body === 'function' ? route.body() : route.body ?? '', 'utf8')
      const headers = [...(route.headers ?? []), ['Content-Length', String(body.length)], ['Connection', 'close']]
      res.writeHead(route.status ?? 200, headers.flat())
      res.end(body)
    }
    if (route.delayMs) setTimeout(answer, route.delayMs)
    else answer()
  })
  // A client that stops reading (a body over its max_bytes) resets the connection: not an error.
  server.on('clientError', (_err, socket) => socket.destroy())
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return state.requests
    },
    get paths() {
      return state.paths
    },
    /** Every POST: `{ path, body, authorization }`. */
    get posts() {
      return state.posts
    },
    set(path, response) {
      table.set(path, response)
    },
    remove(path) {
      table.delete(path)
    },
    close() {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort() {
  const server = http.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

module.exports = { startServer, closedPort }
