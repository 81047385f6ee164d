'use strict'
// The `Principal` object from what a compact native call returned (`jwt.js`, `webhook.js`):
// the JSON text of its six values in order (`[subject, method, credentialId, scopes, claims,
// expiresAt]`), or, when JSON cannot carry a value exactly, the object itself. An object
// literal is cheaper than `JSON.parse` making the outer object (same fields, same order).

/** The `Principal` from a compact native result (its JSON text, or the object). */
function principalOf(result) {
  if (typeof result !== 'string') return result
  const p = JSON.parse(result)
  return { subject: p[0], method: p[1], credentialId: p[2], scopes: p[3], claims: p[4], expiresAt: p[5] }
}

module.exports = { principalOf }
