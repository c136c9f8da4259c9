package sourcetest

// The documented example responses of the endpoints the exporter reads
// (collectors/testdata/api, sources in its README.md), served as they are
// documented, for the sources' tests to decode through their client
// libraries.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Answer is one documented response: the request it answers and the
// fixture that is its body.
type Answer struct {
	Method, Path string
	Status       int
	File         string                // under collectors/testdata/api
	Body         func([]byte) []byte   // how the body is built from the fixture; nil: as it is
	Check        func(r *http.Request) // extra checks on the request; nil: none
}

// Fixture is a documented example answer, under collectors/testdata/api
// (the tests that read it run in collectors/github and collectors/pagerduty).
func Fixture(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "api", filepath.FromSlash(file)))
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatalf("%s: not valid JSON", file)
	}
	return b
}

// AnswerServer serves each answer at its method and path (the query is
// not matched) with contentType, counts the requests per path, and fails
// the test on any other request.
func AnswerServer(t *testing.T, contentType string, answers ...Answer) (*httptest.Server, func(path string) int) {
	t.Helper()
	type served struct {
		Answer
		body []byte
	}
	routes := map[string]served{}
	for _, a := range answers {
		b := Fixture(t, a.File)
		if a.Body != nil {
			b = a.Body(b)
		}
		routes[a.Method+" "+a.Path] = served{a, b}
	}
	var mu sync.Mutex
	counts := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := routes[r.Method+" "+r.URL.Path]
		if !ok {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		counts[r.URL.Path]++
		mu.Unlock()
		if a.Check != nil {
			a.Check(r)
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(a.Status)
		_, _ = w.Write(a.body)
	}))
	t.Cleanup(srv.Close)
	return srv, func(path string) int {
		mu.Lock()
		defer mu.Unlock()
		return counts[path]
	}
}

// AnswerOK is a 200 answer with a fixture as its body.
func AnswerOK(method, path, file string) Answer {
	return Answer{Method: method, Path: path, Status: http.StatusOK, File: file}
}
