'use strict'
// The stress round that test/stress.test.js runs on the main thread and in worker_threads:
// parallel checkAsync / verifyAsync on one gate while the event loop changes its ring and
// reloads it; every result counted.

const { NOW, CONFIG, request, bearer } = require('./gate')

const ROUNDS = 300
const IN_FLIGHT = 32

function byKey(key) {
  return request('GET', '/orders/2', [['x-api-key', key]])
}

async function churnAndCheck(g) {
  const ring = g.apiKeyRing('keys')
  const verifier = g.verifier('keys')
  const issue = (subject) => {
    const issued = ring.generate({ subject, scopes: ['orders:read'], now: NOW - 10 })
    ring.insert(issued.record)
    return issued
  }
  const stable = [0, 1, 2, 3].map((i) => issue(`stable-${i}`).key)
  const revoked = issue('revoked')
  ring.revoke(revoked.record.keyId, NOW - 5)
  const token = bearer('/orders/1')
  const counts = {}
  const count = (what) => { counts[what] = (counts[what] || 0) + 1 }

  const one = async (r) => {
    switch (r % 4) {
      case 0: {
        const d = await g.checkAsync(byKey(stable[r % stable.length]))
        return count(d.allowed && d.credential === 'keys' ? 'stable ok' : `stable ${d.code}`)
      }
      case 1: {
        const d = await g.checkAsync(byKey(revoked.key))
        return count(d.code === 'apikey_revoked' ? 'revoked refused' : `revoked ${d.code}`)
      }
      case 2: {
        const d = await g.checkAsync(token)
        return count(d.allowed && d.credential === 'tokens' ? 'token ok' : `token ${d.code}`)
      }
      default: {
        try {
          const p = await verifier.verifyAsync(byKey(stable[r % stable.length]))
          return count(p.subject.startsWith('stable-') ? 'verifier ok' : 'verifier wrong')
        } catch (e) {
          return count(`verifier ${e.code}`)
        }
      }
    }
  }

  let next = 0
  let reloads = 0
  let churned = 0
  const lane = async () => {
    while (next < ROUNDS) {
      const r = next++
      const pending = one(r)
      // Between submissions the event loop changes the shared state the pool threads read.
      if (r % 8 === 0) {
        const c = issue('churn')
        if (g.check(byKey(c.key)).allowed) churned++
        ring.revoke(c.record.keyId, NOW - 1)
        ring.remove(c.record.keyId)
      }
      if (r % 16 === 0) {
        g.reloadToml(CONFIG.replace('name = "health"', `name = "health-${reloads++ % 2}"`))
      }
      await pending
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane))
  return { counts, churned, reloads }
}

module.exports = { ROUNDS, churnAndCheck }
