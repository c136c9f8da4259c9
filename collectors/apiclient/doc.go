// Package apiclient is the HTTP layer that every source shares: a polite
// client of a rate-limited SaaS API. Its Transport caps concurrent
// requests, times each out, retries transient failures with backoff, waits
// out rate limits in both dialects (GitHub's X-RateLimit-* with its
// separate search budget, PagerDuty's ratelimit-*), keeps a reserve of the
// budget for the token's other users, and sends conditional requests with
// the ETags it remembers (ETags). Metrics counts every request, retry, wait
// and 304. Redact, Scrub and Errorf keep tokens out of error messages and
// logs without losing an error's type, and KeepCause gives a client
// library's flattened error its cause back.
package apiclient
