package refresh

// HoldLock takes the refresher's lock, as a publish holds it, until the
// returned function is called: for tests that a scrape never waits for it.
func HoldLock(r *Refresher) (release func()) {
	r.mu.Lock()
	return r.mu.Unlock
}

// KeepRecord is keepRecord, for the history's hand-built tests.
var KeepRecord = keepRecord

// HistoryFingerprintForTest is historyFingerprint.
var HistoryFingerprintForTest = historyFingerprint
