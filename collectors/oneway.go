package collectors

import (
	"crypto/sha256"
	"encoding/hex"
)

// OneWay is how a state file holds what identifies a person, or a secret,
// that a restart needs to recognise but nobody should read back: a login,
// an e-mail address, a feed's URL. It is "~" and 24 hex digits of the
// SHA-256 of the value, under a purpose that keeps hashes of different
// kinds apart. Whoever has the value (the config) can match it; the hash
// alone does not give it back. It is pseudonymisation, not anonymisation.
func OneWay(purpose, value string) string {
	h := sha256.Sum256([]byte("sre_workload_exporter " + purpose + "\x00" + value))
	return "~" + hex.EncodeToString(h[:12])
}
